-- 030 agent runs: the planner / executor / critic / synthesizer loop and its trace.
--
-- An agent run turns one request into plan versions, steps (each an engine run, channel `agent`,
-- request_id = the agent run id), critic verdicts and an answer. Its durable pause state is the
-- run's status plus its steps: a step waiting for an approval keeps the engine run id and the
-- approval id, so any process can resume the run after the decision, even after a restart.
CREATE TABLE agent_runs (
  id             text PRIMARY KEY,
  tenant         text NOT NULL,
  principal      text NOT NULL,
  -- Snapshot of the requesting principal (id, tenant, roles): a resumed run acts as them.
  requester      jsonb NOT NULL,
  channel        text NOT NULL,
  request        text NOT NULL,
  tsv            tsvector GENERATED ALWAYS AS (to_tsvector('english', request)) STORED,
  -- planning, running, waiting_approval, needs_input, escalated, succeeded, failed, cancelled
  status         text NOT NULL,
  -- offline (deterministic planner) or model
  mode           text NOT NULL CHECK (mode IN ('offline', 'model')),
  goal           text,
  plan_version   integer NOT NULL DEFAULT 0,
  critic_rounds  integer NOT NULL DEFAULT 0,
  answer         text,
  -- statements with their supporting steps and library citations
  answer_data    jsonb,
  question       text,
  escalation     jsonb,
  error          jsonb,
  -- loop counters that must survive a pause (replans, plan attempts)
  state          jsonb NOT NULL DEFAULT '{}',
  input_tokens   integer NOT NULL DEFAULT 0,
  output_tokens  integer NOT NULL DEFAULT 0,
  cost_usd       numeric NOT NULL DEFAULT 0,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  finished_at    timestamptz,
  duration_ms    integer
);
CREATE INDEX agent_runs_tenant_created ON agent_runs (tenant, created_at DESC);
CREATE INDEX agent_runs_waiting ON agent_runs (status) WHERE status IN ('running', 'waiting_approval');
CREATE INDEX agent_runs_tsv ON agent_runs USING gin (tsv);

-- Every plan the planner produced, valid or not, with the validator's feedback.
CREATE TABLE agent_plans (
  agent_run_id    text NOT NULL REFERENCES agent_runs (id) ON DELETE CASCADE,
  version         integer NOT NULL,
  attempt         integer NOT NULL DEFAULT 1,
  -- offline, model
  source          text NOT NULL,
  -- which prompt produced it (planner@1.0.0, offline-planner@1)
  prompt          text NOT NULL,
  plan            jsonb NOT NULL,
  valid           boolean NOT NULL,
  issues          jsonb NOT NULL DEFAULT '[]',
  -- why this version was made: initial, validation, revise, step_failed
  reason          text NOT NULL DEFAULT 'initial',
  created_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (agent_run_id, version, attempt)
);

-- One row per execution of a plan step (a `for_each` step has one per item: key `s2#0`, `s2#1`).
CREATE TABLE agent_steps (
  agent_run_id   text NOT NULL REFERENCES agent_runs (id) ON DELETE CASCADE,
  plan_version   integer NOT NULL,
  step_key       text NOT NULL,
  step_id        text NOT NULL,
  item_index     integer,
  skill_id       text NOT NULL,
  input          jsonb,
  input_hash     text,
  -- pending, running, waiting_approval, succeeded, failed, skipped, reused
  status         text NOT NULL,
  run_id         text,
  approval_id    text,
  output         jsonb,
  error          jsonb,
  attempts       integer NOT NULL DEFAULT 0,
  -- which prompt produced the step (planner@1.0.0, executor@1.0.0, offline-planner@1)
  prompt         text,
  started_at     timestamptz,
  finished_at    timestamptz,
  duration_ms    integer,
  PRIMARY KEY (agent_run_id, plan_version, step_key)
);
CREATE INDEX agent_steps_approval ON agent_steps (approval_id) WHERE approval_id IS NOT NULL;
CREATE INDEX agent_steps_waiting ON agent_steps (run_id) WHERE status = 'waiting_approval';

CREATE TABLE agent_critiques (
  agent_run_id  text NOT NULL REFERENCES agent_runs (id) ON DELETE CASCADE,
  round         integer NOT NULL,
  plan_version  integer NOT NULL,
  verdict       text NOT NULL CHECK (verdict IN ('approve', 'revise', 'escalate')),
  reasons       jsonb NOT NULL DEFAULT '[]',
  summary       text,
  source        text NOT NULL,
  prompt        text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (agent_run_id, round)
);

-- Every model call attempt: role, model, prompt version, tokens, cost, latency, outcome.
CREATE TABLE agent_model_calls (
  id             bigserial PRIMARY KEY,
  agent_run_id   text NOT NULL REFERENCES agent_runs (id) ON DELETE CASCADE,
  role           text NOT NULL,
  model          text NOT NULL,
  prompt         text NOT NULL,
  attempt        integer NOT NULL,
  fallback       boolean NOT NULL DEFAULT false,
  -- ok, error, refused (budget)
  status         text NOT NULL,
  input_tokens   integer NOT NULL DEFAULT 0,
  output_tokens  integer NOT NULL DEFAULT 0,
  usd            numeric NOT NULL DEFAULT 0,
  latency_ms     integer NOT NULL DEFAULT 0,
  error_code     text,
  error          text,
  created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX agent_model_calls_run ON agent_model_calls (agent_run_id, id);
