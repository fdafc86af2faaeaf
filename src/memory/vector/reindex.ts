import type { Db } from '../../db/db.js';
import { type Embedder, embedTexts } from '../embedders/embedder.js';
import { BUILTIN_TARGETS } from './builtin-targets.js';
import { analyzeVectorTables, buildIndex, dropVectorIndex, recordEmbedder } from './embedding-meta.js';
import { createVectorIndexSql } from './vector-sql.js';
import { updateVectors, type VectorTarget } from './vector-target.js';

export interface ReindexProgress {
  target: string;
  done: number;
  total: number;
  phase: 'embedding' | 'indexing' | 'done';
}

export interface ReindexOptions {
  /** Targets to rebuild (default memories and chunks; the router appends its skill targets). */
  targets?: readonly VectorTarget[];
  /** Rows embedded and written per transaction (default 256). */
  batchSize?: number;
  /**
   * With more stale rows than this, the target's HNSW index for the new dimension is dropped while
   * rows are re-embedded and rebuilt once at the end (much faster than updating the graph row by
   * row; queries use an exact scan meanwhile). Default 2000.
   */
  deferIndexAbove?: number;
  onProgress?: (p: ReindexProgress) => void;
  signal?: AbortSignal;
}

export interface ReindexResult {
  embedder: string;
  dims: number;
  targets: { target: string; rows: number; indexRebuilt: boolean }[];
}

/**
 * Re-embeds every row whose vector was not made by `embedder`, target by target, in batches: each
 * batch is embedded, then written in its own transaction, so nothing is ever deleted and every row
 * stays readable (a row keeps its old vector until its batch commits). Makes sure each table has an
 * HNSW index for the embedder's dimension, and records the embedder in `embedding_meta` per target
 * once the target is done. Safe to interrupt and run again: it resumes with the rows still stale.
 */
export async function reindex(
  db: Db,
  embedder: Embedder,
  options: ReindexOptions = {},
): Promise<ReindexResult> {
  const targets = options.targets ?? BUILTIN_TARGETS;
  const batchSize = options.batchSize ?? 256;
  const deferAbove = options.deferIndexAbove ?? 2000;
  const current = { embedder: embedder.name, dims: embedder.dimensions };
  const out: ReindexResult = { embedder: embedder.name, dims: embedder.dimensions, targets: [] };
  for (const t of targets) {
    const perRow = t.perRowEmbedder ?? true;
    const total = await t.countPending(db, current);
    const defer = perRow && total > deferAbove;
    if (defer) await dropVectorIndex(db, t.table, embedder.dimensions);
    let done = 0;
    let afterId: string | number | null = null;
    options.onProgress?.({ target: t.target, done, total, phase: 'embedding' });
    for (;;) {
      options.signal?.throwIfAborted();
      const rows = await t.pending(db, { ...current, afterId, limit: batchSize });
      if (rows.length === 0) break;
      const vectors = await embedTexts(
        embedder,
        rows.map((r) => r.text),
        options.signal,
      );
      const batch = rows.map((r, i) => ({ id: r.id, vector: vectors[i] }));
      await db.tx(async (q) => {
        if (t.write) await t.write(q, batch, embedder);
        else await updateVectors(q, { table: t.table, perRowEmbedder: perRow }, batch, embedder);
      });
      done += rows.length;
      afterId = rows[rows.length - 1].id;
      options.onProgress?.({
        target: t.target,
        done: Math.min(done, Math.max(total, done)),
        total: Math.max(total, done),
        phase: 'embedding',
      });
      if (rows.length < batchSize) break;
    }
    let indexRebuilt = false;
    const createSql = perRow ? createVectorIndexSql(t.table, embedder.dimensions) : null;
    if (createSql) {
      options.onProgress?.({ target: t.target, done, total, phase: 'indexing' });
      await buildIndex(db, createSql);
      indexRebuilt = defer;
    }
    await analyzeVectorTables(db, [t.table]);
    await recordEmbedder(db, t.target, embedder);
    options.onProgress?.({ target: t.target, done, total: Math.max(total, done), phase: 'done' });
    out.targets.push({ target: t.target, rows: done, indexRebuilt });
  }
  return out;
}
