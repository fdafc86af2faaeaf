-- 081 agent idempotency: an agent ask may carry an idempotency key (chat derives it from the
-- delivery id, `slack:ev:Ev123`). A replay of the same ask by the same principal finds the first
-- agent run instead of planning again; its steps' engine runs carry keys derived from it
-- (`<key>:step:<plan version>:<step key>:<attempt>`).
ALTER TABLE agent_runs ADD COLUMN idempotency_key text;
CREATE UNIQUE INDEX agent_runs_idempotency ON agent_runs (tenant, principal, idempotency_key)
  WHERE idempotency_key IS NOT NULL;
