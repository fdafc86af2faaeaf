import type { Db } from '../../db/db.js';
import { type Embedder, embedOne } from '../embedders/embedder.js';
import { normalizeText, STOP_WORDS } from '../embedders/text-features.js';
import { formatVector, paramExpr, vectorExpr } from '../vector/vector-sql.js';

/** A chunk found for a question, with its vector and full-text scores. */
export interface RetrievedChunk {
  id: string;
  document_id: string;
  title: string;
  heading_path: string[];
  line_from: number;
  line_to: number;
  text: string;
  /** Cosine similarity of the question and the chunk. */
  vector_score: number;
  /** Full-text rank in [0, 1) (`ts_rank_cd` normalised as rank / (rank + 1)); 0 when no term matched. */
  text_score: number;
  /** The hybrid score the chunks are ordered by. */
  score: number;
}

export interface RetrieveOptions {
  /** Chunks returned (default 8). */
  limit?: number;
  /** Only these documents. */
  documentIds?: string[];
  /** HNSW candidate list (default 100). */
  efSearch?: number;
}

/** Weight of the full-text signal in the hybrid score (the vector similarity gets the rest). */
export const TEXT_WEIGHT = 0.3;

/** An OR query of the question's meaningful words for `to_tsquery` (null when there are none). */
export function orQuery(question: string): string | null {
  const words = [...new Set(normalizeText(question).split(' '))].filter(
    (w) => w.length > 1 && !STOP_WORDS.has(w),
  );
  return words.length > 0 ? words.join(' | ') : null;
}

/**
 * Hybrid retrieval: the nearest chunks by vector (HNSW) and the best full-text matches (GIN,
 * `ts_rank_cd`), merged; each candidate gets both scores and a hybrid score
 * `(1 - TEXT_WEIGHT) * vector + TEXT_WEIGHT * min(1, 3 * text)`. Tenant-confined.
 */
export async function retrieveChunks(
  db: Db,
  embedder: Embedder,
  tenant: string,
  question: string,
  options: RetrieveOptions = {},
): Promise<RetrievedChunk[]> {
  const limit = options.limit ?? 8;
  const fetch = Math.max(limit * 3, 20);
  const dims = embedder.dimensions;
  const vec = formatVector(await embedOne(embedder, question));
  const params: unknown[] = [vec, tenant, embedder.name];
  let docFilter = '';
  if (options.documentIds && options.documentIds.length > 0) {
    params.push(options.documentIds);
    docFilter = ` AND c.document_id = ANY($${params.length}::text[])`;
  }
  const cols = `c.id, c.document_id, d.title, c.heading_path, c.line_from, c.line_to, c.text,
    1 - (${vectorExpr(dims, 'embedding', 'c')} <=> ${paramExpr(dims, 1)}) AS vector_score`;
  const from = `chunks c JOIN documents d ON d.id = c.document_id`;
  const base = `c.tenant = $2 AND c.dims = ${dims} AND c.embedder = $3${docFilter}`;
  const tsq = orQuery(question);
  const found = await db.tx(async (q) => {
    await q.query(`SET LOCAL hnsw.ef_search = ${Math.max(options.efSearch ?? 100, fetch)}`);
    await q.query('SET LOCAL hnsw.iterative_scan = relaxed_order');
    const byVector = await q.query<RetrievedChunk>(
      `SELECT ${cols}, 0::float8 AS text_score FROM ${from} WHERE ${base}
        ORDER BY ${vectorExpr(dims, 'embedding', 'c')} <=> ${paramExpr(dims, 1)} LIMIT ${fetch}`,
      params,
    );
    if (!tsq) return byVector.rows;
    const byText = await q.query<RetrievedChunk>(
      `SELECT ${cols}, ts_rank_cd(c.tsv, tq, 32)::float8 AS text_score
         FROM ${from}, to_tsquery('english', $${params.length + 1}) AS tq
        WHERE ${base} AND c.tsv @@ tq ORDER BY text_score DESC, c.id LIMIT ${fetch}`,
      [...params, tsq],
    );
    const merged = new Map<string, RetrievedChunk>();
    for (const r of byVector.rows) merged.set(r.id, r);
    for (const r of byText.rows) merged.set(r.id, { ...(merged.get(r.id) ?? r), text_score: r.text_score });
    return [...merged.values()];
  });
  return found
    .map((r) => {
      const vector_score = Number(r.vector_score);
      const text_score = Number(r.text_score);
      const score = (1 - TEXT_WEIGHT) * vector_score + TEXT_WEIGHT * Math.min(1, 3 * text_score);
      return { ...r, vector_score, text_score, score };
    })
    .sort((a, b) => b.score - a.score || a.id.localeCompare(b.id))
    .slice(0, limit);
}
