-- 082 memory HNSW: rebuild the memories index of the default embedder (384 dims) with m 32 and
-- ef_construction 128 (was pgvector's default 16 / 64). Recall questions sit far from the stored
-- facts and their exact top 10 is often a near-tie among hundreds of rows: at 100k memories the old
-- graph gave recall@10 0.93 at ef_search 400 and 0.95 at 800; this one 0.97-0.99 at 800
-- (bench/memory.bench.ts; `hnswOptionsFor` in src/memory/vector/vector-sql.ts builds the same for
-- other dimensions). On a large table the rebuild takes a while (100k rows: ~2-2.5 min embedded).
SET LOCAL maintenance_work_mem = '512MB';
DROP INDEX IF EXISTS memories_embedding_hnsw_384;
CREATE INDEX memories_embedding_hnsw_384 ON memories USING hnsw ((embedding::vector(384)) vector_cosine_ops)
  WITH (m = 32, ef_construction = 128) WHERE dims = 384;
