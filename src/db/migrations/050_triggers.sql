-- 050 triggers: durable jobs, webhooks, schedules, attachments.
-- Delivery (queueing, locking, backoff, dead letters) is pg-boss's, in its own schema `pgboss`,
-- created by pg-boss itself at start. `jobs` is the user-facing record and the source of truth: a
-- pg-boss job only runs when it can move its `jobs` row from `queued` to `running`.

CREATE TABLE jobs (
  id                text PRIMARY KEY,
  tenant            text NOT NULL,
  -- Where the job came from: cli, webhook, schedule, mcp, chat, api.
  source            text NOT NULL,
  -- The webhook or schedule id, when there is one.
  source_ref        text,
  -- Snapshot of the requesting principal {id, tenant, roles, displayName}: the run acts as them.
  principal         jsonb NOT NULL,
  principal_id      text NOT NULL,
  channel           text NOT NULL,
  skill_id          text,
  query             text,
  input             jsonb NOT NULL DEFAULT '{}',
  mode              text NOT NULL DEFAULT 'execute' CHECK (mode IN ('execute', 'dry_run')),
  dedupe_key        text,
  state             text NOT NULL CHECK (state IN ('queued', 'running', 'waiting_approval', 'succeeded',
                                                   'failed', 'interrupted', 'cancelled')),
  queue             text NOT NULL,
  -- The pg-boss job currently delivering this job (a retry by hand gets a new one).
  boss_id           uuid,
  idempotent        boolean NOT NULL DEFAULT false,
  max_attempts      integer NOT NULL DEFAULT 1,
  attempts          integer NOT NULL DEFAULT 0,
  run_id            text,
  approval_id       text,
  worker_id         text,
  cancel_requested  boolean NOT NULL DEFAULT false,
  -- Failed for good (retries exhausted, or not retryable): also sent to the pg-boss dead-letter queue.
  dead_letter       boolean NOT NULL DEFAULT false,
  last_error        jsonb,
  output            jsonb,
  run_after         timestamptz,
  created_at        timestamptz NOT NULL DEFAULT now(),
  started_at        timestamptz,
  finished_at       timestamptz,
  updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX jobs_dedupe ON jobs (tenant, dedupe_key) WHERE dedupe_key IS NOT NULL;
CREATE INDEX jobs_tenant_created ON jobs (tenant, created_at DESC);
CREATE INDEX jobs_open ON jobs (state, skill_id) WHERE state IN ('queued', 'running', 'waiting_approval');
CREATE INDEX jobs_source ON jobs (source, source_ref, created_at DESC);

-- Every attempt of a job: which run, on which worker, how it ended.
CREATE TABLE job_attempts (
  job_id       text NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  attempt      integer NOT NULL,
  run_id       text,
  request_id   text NOT NULL,
  worker_id    text,
  outcome      text NOT NULL,
  error        jsonb,
  retry_at     timestamptz,
  started_at   timestamptz NOT NULL DEFAULT now(),
  finished_at  timestamptz,
  PRIMARY KEY (job_id, attempt)
);

-- Live job workers (one per process); a worker whose heartbeat is stale is presumed dead.
CREATE TABLE job_workers (
  id            text PRIMARY KEY,
  host          text NOT NULL,
  pid           integer NOT NULL,
  started_at    timestamptz NOT NULL DEFAULT now(),
  last_seen_at  timestamptz NOT NULL DEFAULT now(),
  stopped_at    timestamptz
);

-- Webhooks added with `skillgate webhooks add` (config-declared ones are not stored). The signing
-- secret is never stored here: `secret_ref` names it in the secret store (env or secrets/.env).
CREATE TABLE webhooks (
  id                    text PRIMARY KEY,
  tenant                text NOT NULL,
  skill_id              text NOT NULL,
  principal_id          text NOT NULL,
  secret_ref            text NOT NULL,
  previous_secret_ref   text,
  previous_valid_until  timestamptz,
  transform             jsonb,
  idempotency_field     text,
  enabled               boolean NOT NULL DEFAULT true,
  description           text,
  created_by            text NOT NULL,
  created_at            timestamptz NOT NULL DEFAULT now(),
  updated_at            timestamptz NOT NULL DEFAULT now()
);

-- Idempotency keys of accepted deliveries: a duplicate within `expires_at` is acknowledged and skipped.
CREATE TABLE webhook_deliveries (
  webhook_id       text NOT NULL,
  idempotency_key  text NOT NULL,
  job_id           text NOT NULL,
  duplicates       integer NOT NULL DEFAULT 0,
  received_at      timestamptz NOT NULL DEFAULT now(),
  expires_at       timestamptz NOT NULL,
  PRIMARY KEY (webhook_id, idempotency_key)
);

CREATE TABLE schedules (
  id              text PRIMARY KEY,
  tenant          text NOT NULL,
  name            text,
  -- The principal the runs act as, and a snapshot of it for principals not in the config.
  owner           text NOT NULL,
  owner_snapshot  jsonb NOT NULL,
  skill_id        text NOT NULL,
  input           jsonb NOT NULL DEFAULT '{}',
  cron            text,
  timezone        text NOT NULL DEFAULT 'UTC',
  run_at          timestamptz,
  missed          text NOT NULL DEFAULT 'skip' CHECK (missed IN ('skip', 'catch_up_once')),
  enabled         boolean NOT NULL DEFAULT true,
  next_run_at     timestamptz,
  last_run_at     timestamptz,
  last_job_id     text,
  fired           integer NOT NULL DEFAULT 0,
  skipped         integer NOT NULL DEFAULT 0,
  created_by      text NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  CHECK ((cron IS NULL) <> (run_at IS NULL))
);
CREATE INDEX schedules_due ON schedules (next_run_at) WHERE enabled;
CREATE INDEX schedules_tenant ON schedules (tenant, created_at DESC);

-- Files received with webhooks, stored content-addressed under $SKILLGATE_HOME/attachments.
CREATE TABLE attachments (
  sha256        text PRIMARY KEY,
  size          bigint NOT NULL,
  content_type  text NOT NULL,
  filename      text,
  tenant        text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now()
);
