import type { Embedder } from './embedders/embedder.js';
import { visibilityClause } from './memory-sql.js';
import { type ForgetSelector, MEMORY_SCOPES, type MemoryActor } from './memory-types.js';
import { formatVector, paramExpr, vectorExpr } from './vector/vector-sql.js';

export interface ForgetSelectionContext {
  embedder: Embedder;
  /** The embedded `selector.query` (required when the selector has a query). */
  queryVector?: Float32Array;
  now: Date;
  defaultThreshold: number;
}

/**
 * The one SELECT that decides which memories `forget` removes (and its preview lists): live
 * memories of the actor's tenant in the scopes it can see, matching every given selector (ids, key,
 * tags, query similarity >= threshold), best score first, then most recent, then id. The similarity
 * is computed for every candidate (an exact scan, never the approximate index), so the same input
 * always selects the same rows.
 */
export function forgetSelectionSql(
  actor: MemoryActor,
  selector: ForgetSelector,
  ctx: ForgetSelectionContext,
): { sql: string; params: unknown[] } {
  const dims = ctx.embedder.dimensions;
  const params: unknown[] = [actor.tenant, ctx.now];
  const where = [
    'tenant = $1',
    '(expires_at IS NULL OR expires_at > $2)',
    visibilityClause(actor, selector.scopes ?? MEMORY_SCOPES, params),
  ];
  if (selector.ids && selector.ids.length > 0) {
    params.push(selector.ids);
    where.push(`id = ANY($${params.length}::text[])`);
  }
  if (selector.key !== undefined) {
    params.push(selector.key);
    where.push(`key = $${params.length}`);
  }
  if (selector.tags && selector.tags.length > 0) {
    params.push(selector.tags);
    where.push(`tags @> $${params.length}::text[]`);
  }
  let score = '1.0::float8';
  if (selector.query !== undefined) {
    if (!ctx.queryVector) throw new Error('forgetSelectionSql: the query vector is missing');
    params.push(formatVector(ctx.queryVector), ctx.embedder.name, selector.threshold ?? ctx.defaultThreshold);
    const n = params.length;
    score = `(1 - (${vectorExpr(dims)} <=> ${paramExpr(dims, n - 2)}))::float8`;
    where.push(`dims = ${dims}`, `embedder = $${n - 1}`, `${score} >= $${n}`);
  }
  const limit = Math.min(selector.limit ?? 50, 1000);
  return {
    sql: `SELECT id, scope, key, text, ${score} AS score FROM memories WHERE ${where.join(' AND ')}
           ORDER BY score DESC, updated_at DESC, id LIMIT ${limit}`,
    params,
  };
}
