import type { Queryable } from '../db/db.js';
import type { Embedder } from './embedders/embedder.js';
import { type MemoryActor, type MemoryScope, ownerOf, type RecalledMemory } from './memory-types.js';
import { multiRowInsert } from './vector/multi-row-insert.js';
import { formatVector, paramExpr, vectorExpr } from './vector/vector-sql.js';

/** The columns recall returns (no vector). */
export const MEMORY_COLUMNS = 'id, scope, key, text, tags, created_at, updated_at, expires_at';

export interface MemoryRow {
  id: string;
  scope: MemoryScope;
  key: string | null;
  text: string;
  tags: string[];
  created_at: Date;
  updated_at: Date;
  expires_at: Date | null;
}

export function toRecalled(row: MemoryRow, score: number): RecalledMemory {
  return {
    id: row.id,
    scope: row.scope,
    key: row.key,
    text: row.text,
    tags: row.tags,
    score: Math.round(score * 10_000) / 10_000,
    created_at: new Date(row.created_at).toISOString(),
    updated_at: new Date(row.updated_at).toISOString(),
    expires_at: row.expires_at ? new Date(row.expires_at).toISOString() : null,
  };
}

/**
 * The SQL condition for "memories of these scopes the actor may see" (tenant is filtered apart):
 * user -> owner is the principal; session -> owner is the session; org, kb -> tenant-wide.
 * Appends its parameters to `params`.
 */
export function visibilityClause(
  actor: MemoryActor,
  scopes: readonly MemoryScope[],
  params: unknown[],
): string {
  const parts: string[] = [];
  for (const scope of new Set(scopes)) {
    params.push(scope, ownerOf(scope, actor));
    parts.push(`(scope = $${params.length - 1} AND owner = $${params.length})`);
  }
  return parts.length > 0 ? `(${parts.join(' OR ')})` : 'false';
}

export interface NewMemory {
  id: string;
  tenant: string;
  scope: MemoryScope;
  owner: string;
  key: string | null;
  text: string;
  tags: string[];
  vector: Float32Array;
  createdBy: string;
  now: Date;
  expiresAt: Date | null;
}

const MEMORY_INSERT_COLUMNS = [
  'id',
  'tenant',
  'scope',
  'owner',
  'key',
  'text',
  'tags',
  'embedding',
  'embedder',
  'dims',
  'created_by',
  'created_at',
  'updated_at',
  'expires_at',
] as const;

/**
 * Inserts memories with batched multi-row INSERTs (vectors as pgvector text). No dedupe: callers
 * that need it use `SemanticMemory.remember`. Bulk loads (benchmarks, imports) call this directly.
 */
export async function insertMemories(q: Queryable, embedder: Embedder, rows: NewMemory[]): Promise<void> {
  await multiRowInsert(
    q,
    { table: 'memories', columns: MEMORY_INSERT_COLUMNS, casts: { tags: 'text[]', embedding: 'vector' } },
    rows.map((r) => [
      r.id,
      r.tenant,
      r.scope,
      r.owner,
      r.key,
      r.text,
      r.tags,
      formatVector(r.vector),
      embedder.name,
      embedder.dimensions,
      r.createdBy,
      r.now,
      r.now,
      r.expiresAt,
    ]),
  );
}

/**
 * The nearest live memory of one tenant, scope and owner (approximate: HNSW with a relaxed
 * iterative scan, which finds near-duplicates reliably). Must run inside a transaction.
 */
export async function nearestMemory(
  q: Queryable,
  embedder: Embedder,
  where: { tenant: string; scope: MemoryScope; owner: string; vector: Float32Array; now: Date },
): Promise<{ id: string; key: string | null; tags: string[]; similarity: number } | undefined> {
  const dims = embedder.dimensions;
  await q.query('SET LOCAL hnsw.iterative_scan = relaxed_order');
  const r = await q.query<{ id: string; key: string | null; tags: string[]; distance: number }>(
    `SELECT id, key, tags, ${vectorExpr(dims)} <=> ${paramExpr(dims, 1)} AS distance FROM memories
      WHERE tenant = $2 AND scope = $3 AND owner = $4 AND dims = ${dims} AND embedder = $5
        AND (expires_at IS NULL OR expires_at > $6)
      ORDER BY ${vectorExpr(dims)} <=> ${paramExpr(dims, 1)} LIMIT 1`,
    [formatVector(where.vector), where.tenant, where.scope, where.owner, embedder.name, where.now],
  );
  const row = r.rows[0];
  return row ? { id: row.id, key: row.key, tags: row.tags, similarity: 1 - Number(row.distance) } : undefined;
}
