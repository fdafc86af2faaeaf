import type { Queryable } from '../../db/db.js';
import type { EmbedderInfo } from './embedding-meta.js';
import { formatVector } from './vector-sql.js';
import type { PendingRow, VectorTarget } from './vector-target.js';

/**
 * Skills indexed for routing whose vectors are up to date for `e`: `skill_id -> source_hash` of
 * every `skill_index` row made by `e` whose example vectors have `e`'s size too. (Examples carry no
 * embedder name; they are written in the same transaction as their skill row, so they share it.)
 * A routable skill that is missing here, or has another source hash, needs (re-)indexing.
 */
export async function freshSkills(q: Queryable, e: EmbedderInfo): Promise<Map<string, string>> {
  const r = await q.query<{ skill_id: string; source_hash: string }>(
    `SELECT s.skill_id, s.source_hash FROM skill_index s
      WHERE s.embedder = $1 AND s.dims = $2
        AND NOT EXISTS (SELECT 1 FROM skill_examples x WHERE x.skill_id = s.skill_id AND x.dims <> $2)`,
    [e.embedder, e.dims],
  );
  return new Map(r.rows.map((x) => [x.skill_id, x.source_hash]));
}

/** How many indexed skills have a vector (or an example vector) not made by `e`. */
export async function countStaleSkills(q: Queryable, e: EmbedderInfo): Promise<number> {
  const r = await q.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM skill_index s
      WHERE s.embedder <> $1 OR s.dims <> $2
         OR EXISTS (SELECT 1 FROM skill_examples x WHERE x.skill_id = s.skill_id AND x.dims <> $2)`,
    [e.embedder, e.dims],
  );
  return r.rows[0]?.n ?? 0;
}

/**
 * Whether every `routing_feedback` vector must be rebuilt: its rows record only `dims`, so a switch
 * between two embedders of the same size shows only in `embedding_meta`. With no record (feedback
 * never reindexed yet) all rows count as stale: re-embedding a few corrections is cheap.
 */
const FEEDBACK_ALL_STALE =
  'NOT EXISTS (SELECT 1 FROM embedding_meta m WHERE m.target = $3 AND m.embedder = $1 AND m.dims = $2)';

/**
 * Routing feedback (corrections and thumbs): the vector is the query text. Without a rebuild, the
 * router ignores feedback of another vector size, so a switch would silently drop learned routing.
 */
export const routingFeedbackTarget: VectorTarget = {
  target: 'routing_feedback',
  table: 'routing_feedback',
  perRowEmbedder: false,
  async countPending(q, e) {
    const r = await q.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM routing_feedback WHERE dims <> $2 OR ${FEEDBACK_ALL_STALE}`,
      [e.embedder, e.dims, 'routing_feedback'],
    );
    return r.rows[0]?.n ?? 0;
  },
  async pending(q, p): Promise<PendingRow[]> {
    const r = await q.query<{ id: string; text: string }>(
      `SELECT id::text AS id, query AS text FROM routing_feedback
        WHERE (dims <> $2 OR ${FEEDBACK_ALL_STALE}) AND ($4::bigint IS NULL OR id > $4::bigint)
        ORDER BY id LIMIT $5`,
      [p.embedder, p.dims, 'routing_feedback', p.afterId, p.limit],
    );
    return r.rows;
  },
  async write(q, rows, embedder) {
    if (rows.length === 0) return;
    await q.query(
      `UPDATE routing_feedback f SET embedding = v.e::vector, dims = $3
         FROM unnest($1::bigint[], $2::text[]) AS v(id, e) WHERE f.id = v.id`,
      [rows.map((r) => String(r.id)), rows.map((r) => formatVector(r.vector)), embedder.dimensions],
    );
  },
};
