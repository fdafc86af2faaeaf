import type { Db, Queryable } from '../../db/db.js';
import type { Embedder } from '../embedders/embedder.js';
import { createVectorIndexSql, vectorIndexName } from './vector-sql.js';
import type { VectorTarget } from './vector-target.js';

/** An embedder as recorded with vectors. */
export interface EmbedderInfo {
  embedder: string;
  dims: number;
}

export interface TargetState {
  target: string;
  /** What `embedding_meta` says the target's vectors were made with (null: nothing recorded yet). */
  stored: EmbedderInfo | null;
  /** Rows whose vectors are not from the current embedder. */
  staleRows: number;
}

export interface EmbedderChange {
  /** True when any target has vectors from another embedder (a reindex is needed). */
  changed: boolean;
  current: EmbedderInfo;
  targets: TargetState[];
}

/** What `embedding_meta` records for a target (null when nothing is recorded). */
export async function storedEmbedder(q: Queryable, target: string): Promise<EmbedderInfo | null> {
  const r = await q.query<EmbedderInfo>('SELECT embedder, dims FROM embedding_meta WHERE target = $1', [
    target,
  ]);
  return r.rows[0] ?? null;
}

/** Records that `target`'s vectors are made with `embedder` (upsert). */
export async function recordEmbedder(q: Queryable, target: string, embedder: Embedder): Promise<void> {
  await q.query(
    `INSERT INTO embedding_meta (target, embedder, dims) VALUES ($1, $2, $3)
     ON CONFLICT (target) DO UPDATE SET embedder = EXCLUDED.embedder, dims = EXCLUDED.dims, updated_at = now()
     WHERE embedding_meta.embedder <> EXCLUDED.embedder OR embedding_meta.dims <> EXCLUDED.dims`,
    [target, embedder.name, embedder.dimensions],
  );
}

/**
 * Compares the configured embedder with what the stored vectors were made with (per target: the
 * `embedding_meta` record and the rows themselves). Call it at start; when `changed`, run
 * `reindex`. A target with no rows and no record is not a change: its first write records it.
 */
export async function detectEmbedderChange(
  db: Queryable,
  embedder: Embedder,
  targets: readonly VectorTarget[],
): Promise<EmbedderChange> {
  const current = { embedder: embedder.name, dims: embedder.dimensions };
  const states: TargetState[] = [];
  for (const t of targets) {
    const stored = await storedEmbedder(db, t.target);
    const staleRows = await t.countPending(db, current);
    states.push({ target: t.target, stored, staleRows });
  }
  const changed = states.some(
    (s) =>
      s.staleRows > 0 ||
      (s.stored !== null && (s.stored.embedder !== current.embedder || s.stored.dims !== current.dims)),
  );
  return { changed, current, targets: states };
}

/** Whether an index exists (in the current schema). */
async function indexExists(q: Queryable, name: string): Promise<boolean> {
  const r = await q.query('SELECT 1 FROM pg_class WHERE relname = $1 AND relkind = $2', [name, 'i']);
  return r.rows.length > 0;
}

/**
 * Creates the HNSW index of each table for `dims` if missing (`<table>_embedding_hnsw_<dims>`).
 * Returns the names of the indexes it created. Above 4000 dims there is no index (exact scan).
 */
export async function ensureVectorIndexes(
  db: Db,
  tables: readonly string[],
  dims: number,
): Promise<string[]> {
  const created: string[] = [];
  for (const table of tables) {
    const sql = createVectorIndexSql(table, dims);
    if (!sql || (await indexExists(db, vectorIndexName(table, dims)))) continue;
    await buildIndex(db, sql);
    created.push(vectorIndexName(table, dims));
  }
  return created;
}

/** Builds an index with enough maintenance memory for the graph to stay in memory. */
export async function buildIndex(db: Db, createSql: string): Promise<void> {
  await db.tx(async (q) => {
    await q.query(`SET LOCAL maintenance_work_mem = '512MB'`);
    await q.exec(createSql);
  });
}

/** Drops the HNSW index of `table` for `dims`; returns true if there was one. */
export async function dropVectorIndex(db: Queryable, table: string, dims: number): Promise<boolean> {
  const name = vectorIndexName(table, dims);
  if (!(await indexExists(db, name))) return false;
  await db.exec(`DROP INDEX IF EXISTS ${name}`);
  return true;
}

/**
 * Refreshes the planner statistics of vector tables. PGlite has no autovacuum, so without this a
 * table that grew since its last ANALYZE may be planned as small and scanned exactly instead of
 * through its HNSW index. Called after bulk loads and reindexes; call it at start too.
 */
export async function analyzeVectorTables(
  db: Queryable,
  tables: readonly string[] = ['memories', 'chunks'],
): Promise<void> {
  for (const t of tables) {
    if (!/^[a-z_][a-z0-9_]*$/.test(t)) throw new Error(`invalid table name ${t}`);
    await db.exec(`ANALYZE ${t}`);
  }
}

/**
 * Runs a bulk load with the HNSW index of `table` for `dims` dropped, then rebuilds it once and
 * refreshes the table's statistics: inserting into a live HNSW graph row by row is several times
 * slower than building it at the end (measured ~300 vs ~2,000 vectors/s on PGlite). Vector queries
 * use an exact scan meanwhile.
 */
export async function withDeferredVectorIndex<T>(
  db: Db,
  table: string,
  dims: number,
  fn: () => Promise<T>,
): Promise<T> {
  await dropVectorIndex(db, table, dims);
  try {
    return await fn();
  } finally {
    const sql = createVectorIndexSql(table, dims);
    if (sql) await buildIndex(db, sql);
    await analyzeVectorTables(db, [table]);
  }
}
