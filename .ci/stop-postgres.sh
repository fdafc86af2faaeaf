#!/usr/bin/env bash
# .ci/stop-postgres.sh — stop the server started by .ci/install-postgres.sh, if
# it is running. The data directory is kept, so the next install run restarts
# it quickly; delete ${RUNNER_TEMP:-/tmp}/skillgate-ci-pg to start from scratch.
set -euo pipefail

PG_BIN=/usr/lib/postgresql/15/bin
PGDATA=${RUNNER_TEMP:-/tmp}/skillgate-ci-pg/data

if [[ ! -x ${PG_BIN}/pg_ctl || ! -s ${PGDATA}/PG_VERSION ]]; then
  echo "[stop-postgres] no server installed in ${PGDATA}; nothing to do" >&2
  exit 0
fi

# pg_ctl must run as the cluster's owner; runuser needs root.
if [[ ${EUID} -eq 0 ]]; then
  as_pg() { (cd / && runuser -u postgres -- "$@"); }
else
  as_pg() { "$@"; }
fi

if as_pg "${PG_BIN}/pg_ctl" status -D "$PGDATA" >/dev/null 2>&1; then
  as_pg "${PG_BIN}/pg_ctl" stop -D "$PGDATA" -m fast -w -t 60 >&2
else
  echo "[stop-postgres] server in ${PGDATA} is not running" >&2
fi
