import { type Clock, defaultIds, type IdGenerator, systemClock } from '../core/ids.js';
import type { Db, Queryable } from '../db/db.js';
import { type Embedder, embedOne, minRelevanceOf } from './embedders/embedder.js';
import { forgetSelectionSql } from './forget-selection.js';
import {
  insertMemories,
  MEMORY_COLUMNS,
  type MemoryRow,
  nearestMemory,
  toRecalled,
  visibilityClause,
} from './memory-sql.js';
import {
  type ForgetCandidate,
  type ForgetSelector,
  hasForgetSelector,
  MEMORY_SCOPES,
  type MemoryActor,
  type MemoryScope,
  ownerOf,
  type RecalledMemory,
  type RecallInput,
  type RememberInput,
  type RememberResult,
} from './memory-types.js';
import { recordEmbedder } from './vector/embedding-meta.js';
import { formatVector, paramExpr, vectorExpr } from './vector/vector-sql.js';

export interface SemanticMemoryOptions {
  /** Near-duplicate threshold: a write this similar to a memory of the same scope and owner updates it (default 0.95). */
  dedupeThreshold?: number;
  /** HNSW candidate list size for recall (`hnsw.ef_search`, default `DEFAULT_RECALL_EF_SEARCH`, 600). */
  efSearch?: number;
  clock?: Clock;
  ids?: IdGenerator;
}

/**
 * The default `hnsw.ef_search` of recall. Measured with the hash embedder at 100k memories
 * (bench/memory.bench.ts, HNSW m 32; recall varies by ~0.02 from one index build to the next):
 * recall@10 0.92-0.97 with 400, 0.96-0.98 with 600, 0.97-0.99 with 800; p95 12 / 17 / 20 ms with a
 * 512MB PGlite buffer cache (`pglite.shared_buffers`), about three times that with 32MB (the table
 * and its graph, ~400 MB, do not fit; the 16MB default is for small stores). Questions sit far from stored facts and their exact top 10 is often a
 * near-tie among hundreds of rows, so the search must be wide. Below ~10k rows the planner prefers
 * an exact scan (recall 1.0, ~9 ms).
 */
export const DEFAULT_RECALL_EF_SEARCH = 600;

/** Default similarity a `forget` query needs (deleting is worse than keeping). */
export const DEFAULT_FORGET_THRESHOLD = 0.5;

/**
 * Long-term semantic memory in the `memories` table. Every query is confined to the actor's tenant;
 * `user` memories are visible only to their principal and `session` memories only in their session.
 * Expired memories are never returned and are purged lazily on writes.
 */
export class SemanticMemory {
  private readonly dedupeThreshold: number;
  private readonly efSearch: number;
  private readonly clock: Clock;
  private readonly ids: IdGenerator;

  constructor(
    private readonly db: Db,
    private readonly embedder: Embedder,
    options: SemanticMemoryOptions = {},
  ) {
    this.dedupeThreshold = options.dedupeThreshold ?? 0.95;
    this.efSearch = options.efSearch ?? DEFAULT_RECALL_EF_SEARCH;
    this.clock = options.clock ?? systemClock;
    this.ids = options.ids ?? defaultIds;
  }

  /**
   * Saves a memory. With a `key`, the memory of that key in the same scope and owner is overwritten
   * (`updated`); otherwise a near-duplicate (cosine >= `dedupeThreshold`) is updated (`merged`);
   * otherwise a new memory is created. The latest write sets the text and the expiry; tags are
   * replaced on a key overwrite and merged on a near-duplicate.
   */
  async remember(actor: MemoryActor, input: RememberInput): Promise<RememberResult> {
    const scope = input.scope ?? 'user';
    const owner = ownerOf(scope, actor);
    const vec = await embedOne(this.embedder, input.text);
    const now = this.clock();
    const expiresAt = input.ttlMs !== undefined ? new Date(now.getTime() + input.ttlMs) : null;
    const tags = [...new Set(input.tags ?? [])];
    const { name, dimensions: dims } = this.embedder;
    return this.db.tx(async (q) => {
      // One writer per (tenant, scope, owner) at a time, so that dedupe and key overwrite do not race.
      await q.query('SELECT pg_advisory_xact_lock(hashtext($1))', [
        `memories:${actor.tenant}:${scope}:${owner}`,
      ]);
      await this.purgeExpired(q, actor.tenant);
      let target:
        | { id: string; tags: string[]; similarity?: number; action: 'updated' | 'merged' }
        | undefined;
      if (input.key !== undefined) {
        const r = await q.query<{ id: string; tags: string[] }>(
          'SELECT id, tags FROM memories WHERE tenant = $1 AND scope = $2 AND owner = $3 AND key = $4',
          [actor.tenant, scope, owner, input.key],
        );
        if (r.rows[0]) target = { id: r.rows[0].id, tags: tags, action: 'updated' };
      }
      if (!target) {
        const near = await nearestMemory(q, this.embedder, {
          tenant: actor.tenant,
          scope,
          owner,
          vector: vec,
          now,
        });
        if (
          near &&
          near.similarity >= this.dedupeThreshold &&
          (input.key === undefined || near.key === null)
        ) {
          target = {
            id: near.id,
            tags: [...new Set([...near.tags, ...tags])],
            similarity: near.similarity,
            action: 'merged',
          };
        }
      }
      if (!target) {
        const id = this.ids('mem');
        await insertMemories(q, this.embedder, [
          {
            id,
            tenant: actor.tenant,
            scope,
            owner,
            key: input.key ?? null,
            text: input.text,
            tags,
            vector: vec,
            createdBy: actor.principalId,
            now,
            expiresAt,
          },
        ]);
        await recordEmbedder(q, 'memories', this.embedder);
        return this.result(id, 'created', scope, input, tags, expiresAt);
      }
      await q.query(
        `UPDATE memories SET text = $2, tags = $3, embedding = $4::vector, embedder = $5, dims = $6,
           key = COALESCE($7, key), updated_at = $8, expires_at = $9 WHERE id = $1`,
        [
          target.id,
          input.text,
          target.tags,
          formatVector(vec),
          name,
          dims,
          input.key ?? null,
          now,
          expiresAt,
        ],
      );
      const res = this.result(target.id, target.action, scope, input, target.tags, expiresAt);
      if (target.similarity !== undefined) res.similarity = round4(target.similarity);
      return res;
    });
  }

  /**
   * Finds the memories most similar to `query` among those the actor can see, best first; equal
   * scores (to 4 decimals) go to the most recently updated. Only scores >= `minScore` are returned.
   */
  async recall(actor: MemoryActor, input: RecallInput): Promise<RecalledMemory[]> {
    const limit = input.limit ?? 5;
    const minScore = input.minScore ?? minRelevanceOf(this.embedder);
    const vec = await embedOne(this.embedder, input.query);
    const { dimensions: dims } = this.embedder;
    const params: unknown[] = [formatVector(vec), actor.tenant, this.embedder.name, this.clock()];
    const where = [
      'tenant = $2',
      `dims = ${dims}`,
      'embedder = $3',
      '(expires_at IS NULL OR expires_at > $4)',
      visibilityClause(actor, input.scopes ?? MEMORY_SCOPES, params),
    ];
    if (input.tags && input.tags.length > 0) {
      params.push(input.tags);
      where.push(`tags @> $${params.length}::text[]`);
    }
    // Over-fetch: relaxed iterative HNSW scans may return neighbours slightly out of order.
    const fetch = Math.max(limit * 2, 20);
    const rows = await this.db.tx(async (q) => {
      await q.query(`SET LOCAL hnsw.ef_search = ${Math.max(this.efSearch, fetch)}`);
      await q.query(`SET LOCAL hnsw.iterative_scan = relaxed_order`);
      const r = await q.query<MemoryRow & { distance: number }>(
        `SELECT ${MEMORY_COLUMNS}, ${vectorExpr(dims)} <=> ${paramExpr(dims, 1)} AS distance
           FROM memories WHERE ${where.join(' AND ')}
          ORDER BY ${vectorExpr(dims)} <=> ${paramExpr(dims, 1)} LIMIT ${fetch}`,
        params,
      );
      return r.rows;
    });
    return rows
      .map((r) => toRecalled(r, 1 - Number(r.distance)))
      .filter((m) => m.score >= minScore)
      .sort(
        (a, b) => b.score - a.score || b.updated_at.localeCompare(a.updated_at) || a.id.localeCompare(b.id),
      )
      .slice(0, limit);
  }

  /**
   * The memories `forget(selector)` would delete, best first — exactly the same selection, so a
   * preview shown for approval lists what the approved run removes. An exact scan (no index), so the
   * selection is deterministic.
   */
  async selectForget(
    actor: MemoryActor,
    selector: ForgetSelector,
    q: Queryable = this.db,
  ): Promise<ForgetCandidate[]> {
    if (!hasForgetSelector(selector)) return [];
    const vec = selector.query !== undefined ? await embedOne(this.embedder, selector.query) : undefined;
    const { sql, params } = forgetSelectionSql(actor, selector, {
      embedder: this.embedder,
      queryVector: vec,
      now: this.clock(),
      defaultThreshold: DEFAULT_FORGET_THRESHOLD,
    });
    const r = await q.query<ForgetCandidate>(sql, params);
    return r.rows.map((m) => ({ ...m, score: round4(Number(m.score)) }));
  }

  /** Deletes exactly what `selectForget(actor, selector)` selects, in one transaction, and returns it. */
  async forget(
    actor: MemoryActor,
    selector: ForgetSelector,
  ): Promise<{ deleted: number; memories: ForgetCandidate[] }> {
    return this.db.tx(async (q) => {
      const memories = await this.selectForget(actor, selector, q);
      if (memories.length === 0) return { deleted: 0, memories };
      const r = await q.query('DELETE FROM memories WHERE tenant = $1 AND id = ANY($2::text[])', [
        actor.tenant,
        memories.map((m) => m.id),
      ]);
      return { deleted: r.rowCount, memories };
    });
  }

  /** Deletes the tenant's expired memories; returns how many. */
  async purgeExpired(q: Queryable, tenant: string): Promise<number> {
    const r = await q.query('DELETE FROM memories WHERE tenant = $1 AND expires_at <= $2', [
      tenant,
      this.clock(),
    ]);
    return r.rowCount;
  }

  private result(
    id: string,
    action: RememberResult['action'],
    scope: MemoryScope,
    input: RememberInput,
    tags: string[],
    expiresAt: Date | null,
  ): RememberResult {
    return {
      id,
      action,
      scope,
      key: input.key ?? null,
      text: input.text,
      tags,
      expires_at: expiresAt?.toISOString() ?? null,
    };
  }
}

export function round4(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}
