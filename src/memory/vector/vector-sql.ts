/**
 * How vectors travel to and from Postgres, written once for every vector table.
 *
 * Storage choice (see `010_memory.sql`): each vector table has an untyped `embedding vector` column
 * plus `embedder` and `dims`, and one partial HNSW *expression* index per dimension
 * (`(embedding::vector(384)) vector_cosine_ops WHERE dims = 384`, halfvec above 2000 dims). Queries
 * cast the column the same way and filter on `dims` and `embedder`, so the planner uses the index;
 * a switch to a model of another size only adds an index, it never rebuilds a table.
 */

/** pgvector indexes `vector` up to 2000 dimensions and `halfvec` up to 4000. */
export const MAX_VECTOR_INDEX_DIMS = 2000;
export const MAX_HALFVEC_INDEX_DIMS = 4000;

/** The tables that carry embeddings (`embedding`, `embedder`, `dims` columns). */
export type VectorTable = string;

function assertDims(dims: number): void {
  if (!Number.isInteger(dims) || dims < 1 || dims > 16_000)
    throw new Error(`invalid vector dimension ${dims}`);
}

function assertIdent(name: string): void {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`invalid SQL identifier ${name}`);
}

/** The typed cast used in indexes and queries: `vector(384)`, `halfvec(3072)` (no index above 4000). */
export function vectorType(dims: number): string {
  assertDims(dims);
  return dims <= MAX_VECTOR_INDEX_DIMS ? `vector(${dims})` : `halfvec(${dims})`;
}

/** `embedding::vector(384)` for a column (optionally qualified by a table alias). */
export function vectorExpr(dims: number, column = 'embedding', alias?: string): string {
  if (alias) assertIdent(alias);
  assertIdent(column);
  return `(${alias ? `${alias}.` : ''}${column}::${vectorType(dims)})`;
}

/** `$n::vector(384)`: a query vector parameter cast like the indexed expression. */
export function paramExpr(dims: number, n: number): string {
  return `$${n}::${vectorType(dims)}`;
}

/** Name of the partial HNSW index of a table for one dimension. */
export function vectorIndexName(table: VectorTable, dims: number): string {
  assertIdent(table);
  assertDims(dims);
  return `${table}_embedding_hnsw_${dims}`;
}

/** HNSW build options of one index. */
export interface HnswOptions {
  m: number;
  efConstruction: number;
}

/** pgvector's defaults (m 16, ef_construction 64): chunks and any table without its own entry. */
export const HNSW_OPTIONS: HnswOptions = { m: 16, efConstruction: 64 };

/**
 * Per-table HNSW options. `memories`: m 32, ef_construction 128 (migration 082). Measured at 100k
 * hash-embedded memories on PGlite (bench/memory.bench.ts): questions sit far from the stored facts
 * and their exact top 10 is often a near-tie among hundreds of rows, so graph quality matters:
 * recall@10 at ef_search 200 / 400 / 800 was 0.88 / 0.93 / 0.95 with m 16 and 0.94-0.95 /
 * 0.92-0.97 / 0.97-0.99 with m 32 (four builds), for ~50% more build time and inserts into a live
 * index about half as fast. A larger ef_construction alone did not help; neither did a binary-
 * quantized index with an exact re-rank (0.79 at 800 candidates).
 */
export const HNSW_TABLE_OPTIONS: Readonly<Record<string, HnswOptions>> = {
  memories: { m: 32, efConstruction: 128 },
};

/** The HNSW options of `table`. */
export function hnswOptionsFor(table: VectorTable): HnswOptions {
  return HNSW_TABLE_OPTIONS[table] ?? HNSW_OPTIONS;
}

/** `CREATE INDEX IF NOT EXISTS` for the HNSW cosine index of `table` at `dims` (null above 4000). */
export function createVectorIndexSql(table: VectorTable, dims: number): string | null {
  if (dims > MAX_HALFVEC_INDEX_DIMS) return null;
  const ops = dims <= MAX_VECTOR_INDEX_DIMS ? 'vector_cosine_ops' : 'halfvec_cosine_ops';
  const o = hnswOptionsFor(table);
  return (
    `CREATE INDEX IF NOT EXISTS ${vectorIndexName(table, dims)} ON ${table} USING hnsw ` +
    `(${vectorExpr(dims)} ${ops}) WITH (m = ${o.m}, ef_construction = ${o.efConstruction}) ` +
    `WHERE dims = ${dims}`
  );
}

/**
 * Formats a vector as pgvector text (`[0.012345,-0.5,0]`) with at most 6 decimals: parsing decimal
 * text dominates insert time, so shorter numbers load faster, and 1e-6 is far below what cosine
 * ranking can notice on unit vectors.
 */
export function formatVector(v: ArrayLike<number>): string {
  let out = '[';
  for (let i = 0; i < v.length; i++) {
    if (i > 0) out += ',';
    const x = v[i];
    if (!Number.isFinite(x)) throw new Error('vector contains a non-finite number');
    const r = Math.round(x * 1e6) / 1e6;
    out += r === 0 ? '0' : String(r);
  }
  return `${out}]`;
}

/** Parses pgvector text (`[1,2,3]`) into a Float32Array. */
export function parseVector(text: string): Float32Array {
  const inner = text.trim().replace(/^\[/, '').replace(/\]$/, '');
  if (!inner) return new Float32Array(0);
  return Float32Array.from(inner.split(',').map(Number));
}
