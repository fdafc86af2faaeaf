-- 001 core: runs, steps, events, approvals, audit log, budgets, idempotency, outbox, demo data.
CREATE EXTENSION IF NOT EXISTS vector;

CREATE TABLE runs (
  id             text PRIMARY KEY,
  tenant         text NOT NULL,
  request_id     text NOT NULL,
  parent_run_id  text,
  principal      text NOT NULL,
  channel        text NOT NULL,
  skill_id       text,
  skill_version  text,
  query          text,
  input          jsonb,
  input_hash     text,
  mode           text NOT NULL CHECK (mode IN ('execute', 'dry_run')),
  status         text NOT NULL,
  output         jsonb,
  preview        jsonb,
  error          jsonb,
  approval_id    text,
  cost_usd       numeric NOT NULL DEFAULT 0,
  tokens         integer NOT NULL DEFAULT 0,
  attempts       integer NOT NULL DEFAULT 0,
  created_at     timestamptz NOT NULL DEFAULT now(),
  started_at     timestamptz,
  finished_at    timestamptz,
  duration_ms    integer
);
CREATE INDEX runs_tenant_created ON runs (tenant, created_at DESC);
CREATE INDEX runs_tenant_skill ON runs (tenant, skill_id, created_at DESC);
CREATE INDEX runs_tenant_principal ON runs (tenant, principal, created_at DESC);
CREATE INDEX runs_parent ON runs (parent_run_id) WHERE parent_run_id IS NOT NULL;
CREATE INDEX runs_status ON runs (status) WHERE status IN ('running', 'waiting_approval');

CREATE TABLE run_steps (
  run_id        text NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  step_id       text NOT NULL,
  skill_id      text NOT NULL,
  child_run_id  text,
  status        text NOT NULL,
  started_at    timestamptz,
  finished_at   timestamptz,
  duration_ms   integer,
  output        jsonb,
  error         jsonb,
  PRIMARY KEY (run_id, step_id)
);

CREATE TABLE events (
  id          bigserial PRIMARY KEY,
  tenant      text NOT NULL,
  request_id  text NOT NULL,
  run_id      text,
  type        text NOT NULL,
  data        jsonb NOT NULL DEFAULT '{}',
  ts          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX events_run ON events (run_id);
CREATE INDEX events_request ON events (request_id);

CREATE TABLE approvals (
  id              text PRIMARY KEY,
  tenant          text NOT NULL,
  run_id          text NOT NULL,
  skill_id        text NOT NULL,
  skill_version   text NOT NULL,
  input           jsonb NOT NULL,
  input_hash      text NOT NULL,
  preview         jsonb,
  requested_by    text NOT NULL,
  -- Snapshot of the requesting principal (id, tenant, roles): the run executes as them.
  requester       jsonb NOT NULL,
  channel         text NOT NULL,
  risk            text NOT NULL,
  reason          text NOT NULL,
  approver_roles  text[] NOT NULL,
  quorum          integer NOT NULL DEFAULT 1,
  allow_self      boolean NOT NULL DEFAULT false,
  status          text NOT NULL DEFAULT 'pending'
                  CHECK (status IN ('pending', 'approved', 'denied', 'expired', 'executing', 'executed', 'failed', 'cancelled')),
  created_at      timestamptz NOT NULL DEFAULT now(),
  expires_at      timestamptz NOT NULL,
  decided_at      timestamptz,
  executed_at     timestamptz
);
CREATE INDEX approvals_tenant_status ON approvals (tenant, status, created_at DESC);

CREATE TABLE approval_decisions (
  approval_id  text NOT NULL REFERENCES approvals (id) ON DELETE CASCADE,
  principal    text NOT NULL,
  decision     text NOT NULL CHECK (decision IN ('approve', 'deny')),
  comment      text,
  channel      text NOT NULL,
  decided_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (approval_id, principal)
);

-- Every chat/MCP message that shows an approval, so that a decision anywhere can update them all.
CREATE TABLE approval_messages (
  id           bigserial PRIMARY KEY,
  approval_id  text NOT NULL REFERENCES approvals (id) ON DELETE CASCADE,
  channel      text NOT NULL,
  ref          jsonb NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX approval_messages_approval ON approval_messages (approval_id);

-- Append-only, hash-chained: hash = sha256(prev_hash || canonical entry).
CREATE TABLE audit_log (
  seq        bigint PRIMARY KEY,
  ts         timestamptz NOT NULL,
  tenant     text NOT NULL,
  actor      text NOT NULL,
  action     text NOT NULL,
  target     text,
  run_id     text,
  data       jsonb NOT NULL DEFAULT '{}',
  prev_hash  text NOT NULL,
  hash       text NOT NULL
);
-- The chain head, so that deleting the newest entries is detected as well.
CREATE TABLE audit_head (
  id    integer PRIMARY KEY CHECK (id = 1),
  seq   bigint NOT NULL,
  hash  text NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, 'genesis');

CREATE FUNCTION audit_log_forbid_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only';
END;
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_forbid_change();

CREATE TABLE budget_usage (
  tenant    text NOT NULL,
  scope     text NOT NULL,
  period    text NOT NULL,
  used_usd  numeric NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant, scope, period)
);

CREATE TABLE budget_ledger (
  id             bigserial PRIMARY KEY,
  tenant         text NOT NULL,
  principal      text NOT NULL,
  run_id         text,
  skill_id       text,
  kind           text NOT NULL CHECK (kind IN ('reserve', 'settle', 'release', 'llm')),
  usd            numeric NOT NULL,
  model          text,
  input_tokens   integer NOT NULL DEFAULT 0,
  output_tokens  integer NOT NULL DEFAULT 0,
  created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX budget_ledger_tenant_time ON budget_ledger (tenant, created_at);

CREATE TABLE idempotency_keys (
  tenant      text NOT NULL,
  scope       text NOT NULL,
  skill_id    text NOT NULL,
  key         text NOT NULL,
  input_hash  text NOT NULL,
  run_id      text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL,
  PRIMARY KEY (tenant, scope, skill_id, key)
);

-- The outbound connector's queue: messages skills want delivered (e.g. payment reminders).
CREATE TABLE outbox (
  id          text PRIMARY KEY,
  tenant      text NOT NULL,
  connector   text NOT NULL,
  recipient   text NOT NULL,
  subject     text NOT NULL,
  body        text NOT NULL,
  payload     jsonb NOT NULL DEFAULT '{}',
  run_id      text,
  status      text NOT NULL DEFAULT 'queued',
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX outbox_tenant_created ON outbox (tenant, created_at DESC);

-- Demo business data for the crm.* / invoices.* skills (seeded by `skillgate init` / first start).
CREATE SCHEMA IF NOT EXISTS demo;
CREATE TABLE demo.customers (
  id             serial PRIMARY KEY,
  tenant         text NOT NULL,
  name           text NOT NULL,
  email          text NOT NULL,
  phone          text,
  company        text NOT NULL,
  city           text NOT NULL,
  country        text NOT NULL,
  tier           text NOT NULL DEFAULT 'standard' CHECK (tier IN ('free', 'standard', 'premium', 'enterprise')),
  account_owner  text,
  created_at     timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant, email)
);
CREATE TABLE demo.invoices (
  id                serial PRIMARY KEY,
  tenant            text NOT NULL,
  number            integer NOT NULL,
  customer_id       integer NOT NULL REFERENCES demo.customers (id) ON DELETE CASCADE,
  amount            numeric(12, 2) NOT NULL,
  currency          text NOT NULL DEFAULT 'EUR',
  issued_on         date NOT NULL,
  due_on            date NOT NULL,
  status            text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'paid', 'void')),
  paid_at           timestamptz,
  reminders_sent    integer NOT NULL DEFAULT 0,
  last_reminder_at  timestamptz,
  UNIQUE (tenant, number)
);
CREATE INDEX invoices_customer ON demo.invoices (customer_id);
