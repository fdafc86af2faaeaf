-- The deterministic core (code.* skills): custom restriction sets per tenant, repeatability results,
-- and the compile cache keyed by (spec hash, backend, toolchain version, emitter version).

CREATE TABLE IF NOT EXISTS code_restriction_sets (
  tenant text NOT NULL,
  id text NOT NULL,
  version text NOT NULL,
  definition jsonb NOT NULL,
  created_by text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant, id)
);

CREATE TABLE IF NOT EXISTS code_repeatability_runs (
  id text PRIMARY KEY,
  tenant text NOT NULL,
  contract_id text NOT NULL,
  run_id text,
  level text NOT NULL,
  source text NOT NULL,
  samples integer NOT NULL,
  metrics jsonb NOT NULL,
  distribution jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS code_repeatability_runs_contract ON code_repeatability_runs (tenant, contract_id, created_at DESC);

CREATE TABLE IF NOT EXISTS code_compile_cache (
  tenant text NOT NULL,
  spec_hash text NOT NULL,
  backend text NOT NULL,
  toolchain text NOT NULL,
  emitter_version text NOT NULL,
  result jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  hits integer NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant, spec_hash, backend, toolchain, emitter_version)
);
