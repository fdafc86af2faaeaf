import type { Queryable } from '../../db/db.js';
import type { Embedder } from '../embedders/embedder.js';
import { formatVector } from './vector-sql.js';

/** A row to (re-)embed: its id and the exact text its vector is made from. */
export interface PendingRow {
  id: string | number;
  text: string;
}

export interface PendingQuery {
  /** The embedder the rows should end up with. */
  embedder: string;
  dims: number;
  /** Keyset cursor: return rows with id greater than this (null: from the start). */
  afterId: string | number | null;
  limit: number;
}

/**
 * A table of vectors that `reindex` rebuilds. Memories and library chunks are built in
 * (`memoriesTarget`, `chunksTarget`); the skill router registers its own targets (skills, examples)
 * and passes them to `reindex({ targets })`.
 *
 * Invariant: `pending` returns rows ordered by id, so reindex can walk the table with a keyset cursor
 * and always terminates. Rows may be returned even if they are already up to date (harmless).
 */
export interface VectorTarget {
  /** Key in `embedding_meta` (`memories`, `chunks`, `skills`, ...). */
  target: string;
  /** The table holding the `embedding` column; its HNSW index is dropped and rebuilt around large reindexes. */
  table: string;
  /** Whether the table has the `embedder` and `dims` columns and a `WHERE dims = N` HNSW index (default true). */
  perRowEmbedder?: boolean;
  /** How many rows need a new vector for this embedder (progress totals). */
  countPending(q: Queryable, embedder: { embedder: string; dims: number }): Promise<number>;
  pending(q: Queryable, query: PendingQuery): Promise<PendingRow[]>;
  /** Writes the new vectors (default: `updateVectors` on `table`'s `id` column). */
  write?(
    q: Queryable,
    rows: { id: string | number; vector: Float32Array }[],
    embedder: Embedder,
  ): Promise<void>;
}

export interface UpdateVectorsOptions {
  table: string;
  /** Primary key column (default `id`), and its SQL type (default `text`). */
  idColumn?: string;
  idType?: 'text' | 'bigint';
  /** Also set `embedder` and `dims` (default true). */
  perRowEmbedder?: boolean;
}

/**
 * Updates `embedding` (and `embedder`, `dims`) of many rows in one statement: vectors travel as
 * pgvector text in one `text[]` parameter, zipped with the ids by `unnest`.
 */
export async function updateVectors(
  q: Queryable,
  options: UpdateVectorsOptions,
  rows: { id: string | number; vector: Float32Array }[],
  embedder: Embedder,
): Promise<void> {
  if (rows.length === 0) return;
  const { table, idColumn = 'id', idType = 'text', perRowEmbedder = true } = options;
  for (const ident of [table, idColumn]) {
    if (!/^[a-z_][a-z0-9_]*$/.test(ident)) throw new Error(`invalid SQL identifier ${ident}`);
  }
  const ids = rows.map((r) => r.id);
  const vectors = rows.map((r) => formatVector(r.vector));
  const extra = perRowEmbedder ? ', embedder = $3, dims = $4' : '';
  const params: unknown[] = [ids, vectors];
  if (perRowEmbedder) params.push(embedder.name, embedder.dimensions);
  await q.query(
    `UPDATE ${table} t SET embedding = v.e::vector${extra}
       FROM unnest($1::${idType}[], $2::text[]) AS v(id, e) WHERE t.${idColumn} = v.id`,
    params,
  );
}
