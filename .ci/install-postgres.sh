#!/usr/bin/env bash
# .ci/install-postgres.sh — install and start a throwaway PostgreSQL 15 + pgvector
# server for CI and local tests.
#
#   URL=$(bash .ci/install-postgres.sh | tail -n 1)
#
# What it does (every step is skipped when already done, so re-runs are fast):
#   1. apt-installs postgresql-15 from the machine's own Debian (bookworm) sources;
#   2. builds pgvector from Debian trixie's *source* package (pgvector is not in
#      bookworm) against the bookworm server headers, and installs it;
#   3. initdb + pg_ctl start, as the `postgres` user, in a scratch data directory
#      ($RUNNER_TEMP/skillgate-ci-pg, else /tmp/skillgate-ci-pg), listening only
#      on 127.0.0.1:$PGPORT, tuned for speed rather than durability;
#   4. creates role/database `skillgate` / `skillgate_test` with the `vector`
#      extension (also in template1, so databases created later have it too).
#
# The connection URL is the LAST line on stdout; everything else (progress,
# apt, make, pg_ctl) goes to stderr or to $PG_BASE/install.log.
# Must run as root (it uses apt-get and runuser). Stop the server with
# .ci/stop-postgres.sh.

set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

# Keep the real stdout on fd 3 for the URL alone; everything else goes to stderr.
exec 3>&1 1>&2

PG_MAJOR=15
PG_BIN=/usr/lib/postgresql/${PG_MAJOR}/bin
PG_CONFIG=${PG_BIN}/pg_config
PG_SHARE=/usr/share/postgresql/${PG_MAJOR}
PG_LIB=/usr/lib/postgresql/${PG_MAJOR}/lib

PGHOST_ADDR=127.0.0.1
PGPORT=${SKILLGATE_PGPORT:-54329}
DB_USER=skillgate
DB_PASSWORD=skillgate
DB_NAME=skillgate_test
# Debian suite whose source package of pgvector we build.
PGVECTOR_SUITE=${PGVECTOR_SUITE:-trixie}

PG_BASE=${RUNNER_TEMP:-/tmp}/skillgate-ci-pg
PGDATA=${PG_BASE}/data           # the cluster
SOCKET_DIR=${PG_BASE}            # unix socket, used for setup as `postgres` (peer auth)
SERVER_LOG=${PG_BASE}/postgres.log
INSTALL_LOG=${PG_BASE}/install.log

URL="postgres://${DB_USER}:${DB_PASSWORD}@${PGHOST_ADDR}:${PGPORT}/${DB_NAME}"

log() { printf '[install-postgres] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# Run a noisy command with its output in the install log; on failure show its tail.
quiet() {
  if ! "$@" >>"$INSTALL_LOG" 2>&1 </dev/null; then
    log "command failed: $*  (last lines of $INSTALL_LOG follow)"
    tail -n 40 "$INSTALL_LOG" >&2 || true
    return 1
  fi
}

# Run a command as the postgres user, from a directory it can read. fds 3 (our
# stdout) and 9 (the lock) are closed so that a server started by pg_ctl does
# not hold them open: otherwise `$(install-postgres.sh)` would never see EOF,
# and the lock would stay held as long as the server runs.
as_pg() { (cd / && runuser -u postgres -- "$@") 3>&- 9>&-; }

[[ ${EUID} -eq 0 ]] || die "must run as root (uses apt-get and runuser)"

mkdir -p "$PG_BASE"
: >"$INSTALL_LOG"

# One run at a time (e.g. two test jobs starting together).
exec 9>"${PG_BASE}/.lock"
flock 9

started=$SECONDS

# ---------------------------------------------------------------------------
# 1+2. Packages: skipped entirely when the server and pgvector are installed.
# ---------------------------------------------------------------------------

# The URI of the machine's Debian mirror: the first enabled `deb` source for
# this release's main suite, in either one-line (.list) or deb822 (.sources) form.
debian_mirror() {
  local codename f
  # shellcheck disable=SC1091
  codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
  [[ -n $codename ]] || return 1
  {
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
      [[ -f $f ]] || continue
      # deb [opts] URI SUITE components...
      sed -E 's/\[[^]]*\]//' "$f" |
        awk -v s="$codename" '$1 == "deb" && $3 == s { print $2 }'
    done
    for f in /etc/apt/sources.list.d/*.sources; do
      [[ -f $f ]] || continue
      # Paragraphs separated by blank lines; comment lines ignored.
      awk -v s="$codename" '
        function flush() {
          if (types ~ /(^| )deb( |$)/ && (" " suites " ") ~ (" " s " ") && enabled != "no" && uri != "")
            print uri
          types = suites = uri = enabled = ""
        }
        /^[[:space:]]*#/ { next }
        /^[[:space:]]*$/ { flush(); next }
        tolower($1) == "types:"   { $1 = ""; types = $0 }
        tolower($1) == "suites:"  { $1 = ""; suites = $0 }
        tolower($1) == "uris:"    { uri = $2 }
        tolower($1) == "enabled:" { enabled = tolower($2) }
        END { flush() }' "$f"
    done
  } | awk 'NR == 1'  # (reads all input: no SIGPIPE under pipefail)
}

# Fetch pgvector's source package from $PGVECTOR_SUITE and build/install it.
# The deb-src entry lives in a private apt configuration (own sources list,
# own lists dir) that the system's apt never reads: no binary package of that
# suite can ever be installed, and later `apt-get update`s stay untouched.
build_pgvector() {
  local mirror work src
  mirror=$(debian_mirror) || true
  [[ -n ${mirror:-} ]] || die "could not find the Debian mirror in /etc/apt/sources.list{,.d/*}"
  work=$(mktemp -d /tmp/skillgate-pgvector.XXXXXX)
  # shellcheck disable=SC2064
  trap "rm -rf '$work'" EXIT
  mkdir -p "$work/sources.list.d" "$work/lists/partial"
  cat >"$work/sources.list.d/${PGVECTOR_SUITE}-src.sources" <<SRC
Types: deb-src
URIs: ${mirror}
Suites: ${PGVECTOR_SUITE}
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  local apt_opts=(
    -o "Dir::Etc::SourceList=/dev/null"
    -o "Dir::Etc::SourceParts=$work/sources.list.d"
    -o "Dir::State::Lists=$work/lists"
    -o "Dir::Cache::pkgcache=" -o "Dir::Cache::srcpkgcache="
    -o "APT::Sandbox::User=root"
  )
  log "fetching pgvector source from ${mirror} ${PGVECTOR_SUITE} (deb-src only)"
  quiet apt-get "${apt_opts[@]}" update
  (cd "$work" && quiet apt-get "${apt_opts[@]}" source pgvector)
  src=$(find "$work" -mindepth 1 -maxdepth 1 -type d -name 'pgvector-*' | head -n 1)
  [[ -n $src ]] || die "apt-get source pgvector produced no source tree"
  log "building $(basename "$src") against $("$PG_CONFIG" --version)"
  # OPTFLAGS= : no -march=native, so the build runs on any x86-64 (as Debian builds it).
  quiet make -C "$src" -j"$(nproc)" PG_CONFIG="$PG_CONFIG" OPTFLAGS=
  quiet make -C "$src" install PG_CONFIG="$PG_CONFIG" OPTFLAGS=
  rm -rf "$work"
  trap - EXIT
}

have_server=false; have_vector=false
[[ -x ${PG_BIN}/postgres ]] && have_server=true
[[ -f ${PG_SHARE}/extension/vector.control && -f ${PG_LIB}/vector.so ]] && have_vector=true

if $have_server && $have_vector; then
  log "postgresql-${PG_MAJOR} and pgvector already installed"
else
  # The server and its headers are named together so that they stay at the same
  # minor version; the build tools only when missing (naming an installed
  # package would upgrade it, and dpkg-dev drags dpkg itself along).
  pkgs=("postgresql-${PG_MAJOR}")
  if ! $have_vector; then
    pkgs+=("postgresql-server-dev-${PG_MAJOR}") # headers + PGXS
    for p in build-essential dpkg-dev; do       # C toolchain; `apt-get source`
      [[ $(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null) == installed ]] || pkgs+=("$p")
    done
  fi
  log "apt-get install ${pkgs[*]} (log: $INSTALL_LOG)"
  quiet apt-get update
  quiet apt-get install -y --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${pkgs[@]}"
  $have_vector || build_pgvector
  [[ -f ${PG_SHARE}/extension/vector.control ]] || die "pgvector did not install"
fi

# ---------------------------------------------------------------------------
# 3. The server.
# ---------------------------------------------------------------------------

server_ready() { "${PG_BIN}/pg_isready" -q -h "$PGHOST_ADDR" -p "$PGPORT" -t 2; }

if server_ready; then
  log "a server is already running on ${PGHOST_ADDR}:${PGPORT}; reusing it"
else
  chown postgres: "$PG_BASE"
  if [[ ! -s ${PGDATA}/PG_VERSION ]]; then
    log "initdb in $PGDATA"
    rm -rf "$PGDATA"
    quiet as_pg "${PG_BIN}/initdb" -D "$PGDATA" -U postgres -E UTF8 --locale=C.UTF-8 \
      --auth-local=peer --auth-host=scram-sha-256
    # Appended last, so these win over initdb's defaults.
    cat >>"${PGDATA}/postgresql.conf" <<CONF

# --- skillgate CI (.ci/install-postgres.sh): a disposable server, speed over durability
listen_addresses = '${PGHOST_ADDR}'
port = ${PGPORT}
unix_socket_directories = '${SOCKET_DIR}'
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
CONF
    chown postgres: "${PGDATA}/postgresql.conf"
  fi
  log "starting the server (log: $SERVER_LOG)"
  # setsid: detach the server from the caller's session/process group, so
  # that it outlives this script and the job that ran it.
  if ! as_pg setsid -w "${PG_BIN}/pg_ctl" start -D "$PGDATA" -l "$SERVER_LOG" -w -t 60 \
      >>"$INSTALL_LOG" 2>&1 </dev/null; then
    tail -n 30 "$SERVER_LOG" >&2 || true
    die "the server did not start"
  fi
  server_ready || die "the server started but does not answer on ${PGHOST_ADDR}:${PGPORT}"
fi

# ---------------------------------------------------------------------------
# 4. Role, database, extension (idempotent).
# ---------------------------------------------------------------------------

if [[ -S ${SOCKET_DIR}/.s.PGSQL.${PGPORT} ]]; then
  psql_admin() {
    as_pg env PGOPTIONS='-c client_min_messages=warning' "${PG_BIN}/psql" -h "$SOCKET_DIR" -p "$PGPORT" -U postgres -X -q \
      -v ON_ERROR_STOP=1 "$@" </dev/null
  }
  psql_admin -d postgres -c "
    DO \$\$ BEGIN
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${DB_USER}') THEN
        CREATE ROLE ${DB_USER} LOGIN SUPERUSER PASSWORD '${DB_PASSWORD}';
      ELSE
        ALTER ROLE ${DB_USER} LOGIN SUPERUSER PASSWORD '${DB_PASSWORD}';
      END IF;
    END \$\$;"
  # template1 first, so that skillgate_test (and any database tests create) has it.
  psql_admin -d template1 -c "CREATE EXTENSION IF NOT EXISTS vector"
  db_exists=$(psql_admin -d postgres -tA -c "SELECT 1 FROM pg_database WHERE datname = '${DB_NAME}'")
  [[ $db_exists == 1 ]] || psql_admin -d postgres -c "CREATE DATABASE ${DB_NAME} OWNER ${DB_USER}"
  psql_admin -d "$DB_NAME" -c "CREATE EXTENSION IF NOT EXISTS vector"
else
  # A server on our port that is not ours (its socket is elsewhere): just
  # check that what we need is there.
  log "the server on port ${PGPORT} is not from ${PGDATA}; checking it via the URL"
fi

version=$("${PG_BIN}/psql" "$URL" -X -tA -v ON_ERROR_STOP=1 \
  -c "SELECT extversion FROM pg_extension WHERE extname = 'vector'" </dev/null) ||
  die "cannot connect as ${DB_USER} to ${URL}"
[[ -n $version ]] || die "the vector extension is missing in ${DB_NAME}"
log "ready in $((SECONDS - started))s: PostgreSQL $("${PG_BIN}/postgres" -V | awk '{print $3}') + pgvector ${version}"

printf '%s\n' "$URL" >&3
