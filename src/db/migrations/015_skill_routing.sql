-- 015 skill routing: the skill index (vectors + full text), example utterances, routing feedback.
-- Vectors follow the scheme of 010_memory.sql: an untyped `vector` column with its `dims`, and one
-- partial expression HNSW index per dimension in use (384 for the offline hash embedder).
CREATE TABLE skill_index (
  skill_id     text PRIMARY KEY,
  source_hash  text NOT NULL,
  title        text NOT NULL,
  description  text NOT NULL,
  tags         text[] NOT NULL DEFAULT '{}',
  embedder     text NOT NULL,
  dims         integer NOT NULL,
  embedding    vector NOT NULL,
  fts          tsvector NOT NULL,
  updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX skill_index_fts ON skill_index USING gin (fts);
CREATE INDEX skill_index_embedding_hnsw_384 ON skill_index USING hnsw ((embedding::vector(384)) vector_cosine_ops) WHERE dims = 384;

CREATE TABLE skill_examples (
  id         bigserial PRIMARY KEY,
  skill_id   text NOT NULL REFERENCES skill_index (skill_id) ON DELETE CASCADE,
  text       text NOT NULL,
  embedding  vector NOT NULL,
  dims       integer NOT NULL
);
CREATE INDEX skill_examples_skill ON skill_examples (skill_id);
CREATE INDEX skill_examples_embedding_hnsw_384 ON skill_examples USING hnsw ((embedding::vector(384)) vector_cosine_ops) WHERE dims = 384;

-- Corrections and thumbs: they change later routing for the tenant.
CREATE TABLE routing_feedback (
  id              bigserial PRIMARY KEY,
  tenant          text NOT NULL,
  principal       text NOT NULL,
  run_id          text,
  query           text NOT NULL,
  embedding       vector NOT NULL,
  dims            integer NOT NULL,
  routed_skill    text,
  -- The skill the user wanted; NULL means "no skill should have run".
  expected_skill  text,
  verdict         text NOT NULL CHECK (verdict IN ('correct', 'wrong', 'up', 'down')),
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX routing_feedback_tenant ON routing_feedback (tenant, created_at DESC);
