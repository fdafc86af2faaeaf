-- 010 memory: embedding bookkeeping, semantic memory, document library (chunks with vectors + full text).
--
-- Vector storage: every vector table has an untyped `embedding vector` column plus the `embedder`
-- name and `dims` of the vector, recorded per row. HNSW needs a fixed dimension, so each table gets
-- one PARTIAL EXPRESSION index per dimension in use: `((embedding::vector(N)) vector_cosine_ops)
-- WHERE dims = N` (halfvec above 2000 dims). Queries cast and filter the same way. The default
-- (384, the offline hash embedder) is created here; switching to a model of another size adds its
-- index at reindex time (`ensureVectorIndexes`) instead of rebuilding the tables, and rows of the
-- old size never break the new index (the WHERE clause keeps them out of it).
CREATE EXTENSION IF NOT EXISTS vector;

-- Which embedder the stored vectors of each target (memories, chunks, skills) were made with.
CREATE TABLE embedding_meta (
  target      text PRIMARY KEY,
  embedder    text NOT NULL,
  dims        integer NOT NULL CHECK (dims > 0),
  updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE memories (
  id          text PRIMARY KEY,
  tenant      text NOT NULL,
  scope       text NOT NULL CHECK (scope IN ('user', 'session', 'org', 'kb')),
  -- user: the principal id; session: the session id; org and kb: '' (the whole tenant).
  owner       text NOT NULL DEFAULT '',
  key         text,
  text        text NOT NULL,
  tags        text[] NOT NULL DEFAULT '{}',
  embedding   vector NOT NULL,
  embedder    text NOT NULL,
  dims        integer NOT NULL,
  tsv         tsvector GENERATED ALWAYS AS (to_tsvector('english', text)) STORED,
  created_by  text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz
);
CREATE UNIQUE INDEX memories_key ON memories (tenant, scope, owner, key) WHERE key IS NOT NULL;
CREATE INDEX memories_owner ON memories (tenant, scope, owner, updated_at DESC);
CREATE INDEX memories_expiry ON memories (expires_at) WHERE expires_at IS NOT NULL;
CREATE INDEX memories_tags ON memories USING gin (tags);
CREATE INDEX memories_tsv ON memories USING gin (tsv);
CREATE INDEX memories_embedding_hnsw_384 ON memories USING hnsw ((embedding::vector(384)) vector_cosine_ops)
  WITH (m = 16, ef_construction = 64) WHERE dims = 384;

CREATE TABLE documents (
  id            text PRIMARY KEY,
  tenant        text NOT NULL,
  -- What identifies "the same document" on re-ingest: a file path, an attachment, or a title.
  source_key    text NOT NULL,
  title         text NOT NULL,
  kind          text NOT NULL CHECK (kind IN ('text', 'markdown', 'pdf')),
  source        text NOT NULL,
  content_hash  text NOT NULL,
  bytes         integer NOT NULL,
  line_count    integer NOT NULL,
  chunk_count   integer NOT NULL,
  created_by    text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant, source_key)
);
CREATE INDEX documents_tenant ON documents (tenant, updated_at DESC);

CREATE TABLE chunks (
  id            text PRIMARY KEY,
  tenant        text NOT NULL,
  document_id   text NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
  ord           integer NOT NULL,
  text          text NOT NULL,
  heading_path  text[] NOT NULL DEFAULT '{}',
  -- heading_path joined with ' > ' (generated columns cannot call array_to_string).
  heading       text NOT NULL DEFAULT '',
  line_from     integer NOT NULL,
  line_to       integer NOT NULL,
  embedding     vector NOT NULL,
  embedder      text NOT NULL,
  dims          integer NOT NULL,
  tsv           tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english', heading), 'A') ||
    setweight(to_tsvector('english', text), 'B')
  ) STORED,
  UNIQUE (document_id, ord)
);
CREATE INDEX chunks_tenant ON chunks (tenant, document_id);
CREATE INDEX chunks_tsv ON chunks USING gin (tsv);
CREATE INDEX chunks_embedding_hnsw_384 ON chunks USING hnsw ((embedding::vector(384)) vector_cosine_ops)
  WITH (m = 16, ef_construction = 64) WHERE dims = 384;
