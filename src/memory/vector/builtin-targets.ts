import type { Queryable } from '../../db/db.js';
import { chunkEmbeddingText } from '../library/chunk-text.js';
import type { PendingQuery, PendingRow, VectorTarget } from './vector-target.js';

const STALE = '(embedder <> $1 OR dims <> $2)';

async function count(q: Queryable, table: string, e: { embedder: string; dims: number }): Promise<number> {
  const r = await q.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE ${STALE}`, [
    e.embedder,
    e.dims,
  ]);
  return r.rows[0]?.n ?? 0;
}

/** Memories: the vector is the memory text. */
export const memoriesTarget: VectorTarget = {
  target: 'memories',
  table: 'memories',
  countPending: (q, e) => count(q, 'memories', e),
  async pending(q: Queryable, p: PendingQuery): Promise<PendingRow[]> {
    const r = await q.query<PendingRow>(
      `SELECT id, text FROM memories WHERE ${STALE} AND ($3::text IS NULL OR id > $3) ORDER BY id LIMIT $4`,
      [p.embedder, p.dims, p.afterId, p.limit],
    );
    return r.rows;
  },
};

/** Library chunks: the vector is made from the document title, the heading path and the chunk text. */
export const chunksTarget: VectorTarget = {
  target: 'chunks',
  table: 'chunks',
  countPending: (q, e) => count(q, 'chunks', e),
  async pending(q: Queryable, p: PendingQuery): Promise<PendingRow[]> {
    const r = await q.query<{ id: string; title: string; heading_path: string[]; text: string }>(
      `SELECT c.id, d.title, c.heading_path, c.text FROM chunks c JOIN documents d ON d.id = c.document_id
        WHERE (c.embedder <> $1 OR c.dims <> $2) AND ($3::text IS NULL OR c.id > $3) ORDER BY c.id LIMIT $4`,
      [p.embedder, p.dims, p.afterId, p.limit],
    );
    return r.rows.map((c) => ({ id: c.id, text: chunkEmbeddingText(c.title, c.heading_path, c.text) }));
  },
};

/** The vector targets this module owns (the router adds its own to `reindex`). */
export const BUILTIN_TARGETS: readonly VectorTarget[] = [memoriesTarget, chunksTarget];
