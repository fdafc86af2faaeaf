import type { Principal } from '../../core/principal.js';
import type { RouteCandidate, RouteResult, SkillRouter } from '../../core/router-port.js';
import type { Db } from '../../db/db.js';
import { type Embedder, embedOne } from '../embedders/embedder.js';
import { contentStems, normalizeText, STOP_WORDS } from '../embedders/text-features.js';
import { formatVector } from '../vector/vector-sql.js';
import type { LexicalIndex } from './lexical-index.js';
import {
  combinedScore,
  confidenceOf,
  DEFAULT_THRESHOLD,
  type RouteSignals,
  squashRank,
} from './route-scoring.js';
import { feedbackAdjustments } from './routing-feedback.js';

export interface SkillRouterOptions {
  db: Db;
  embedder: Embedder;
  /** The in-memory IDF-weighted word index over the same skills (kept in step by the app). */
  lexical: LexicalIndex;
  /** Confidence below which the answer is "no skill". Default `DEFAULT_THRESHOLD`. */
  threshold?: number;
  /** Candidates taken from each retrieval (examples x2). Default 15. */
  candidates?: number;
}

/** An OR query of the content words for Postgres full-text search (empty when none). */
export function orTsQuery(query: string): string {
  const words = normalizeText(query)
    .split(' ')
    .filter((w) => w.length > 1 && !STOP_WORDS.has(w) && /^[\p{L}\p{N}]+$/u.test(w));
  return [...new Set(words)].slice(0, 24).join(' | ');
}

interface CandidateRow {
  skill_id: string;
  tags: string[];
  doc_sim: number;
  ex_sim: number | null;
  fts_rank: number;
}

/**
 * Routes a natural-language request to a skill: HNSW over example utterances and skill documents
 * plus Postgres full text give the candidates; each is scored on every signal, the scores are
 * combined and calibrated into a confidence; below the threshold the answer is "no skill".
 */
export class PgSkillRouter implements SkillRouter {
  private readonly threshold: number;
  private readonly k: number;

  constructor(private readonly options: SkillRouterOptions) {
    this.threshold = options.threshold ?? DEFAULT_THRESHOLD;
    this.k = options.candidates ?? 15;
  }

  /** Every candidate skill with its per-signal scores (unsorted). */
  async signals(query: string, principal: Principal): Promise<{ skill: string; signals: RouteSignals }[]> {
    const { db, embedder, lexical } = this.options;
    const vec = formatVector(await embedOne(embedder, query));
    const d = embedder.dimensions;
    const tsq = orTsQuery(query);
    const adjust = await feedbackAdjustments(db, principal.tenant, vec, d);
    const lex = lexical.score(query);
    const lexTop = [...lex]
      .sort((a, b) => b[1].document + b[1].example - (a[1].document + a[1].example))
      .slice(0, this.k)
      .map(([id]) => id);
    const extra = [...new Set([...lexTop, ...[...adjust].filter(([, v]) => v > 0).map(([k]) => k)])];
    // The query vector and tsquery are inlined as parameters (not joined from a CTE) so that the
    // planner can use the HNSW indexes for the nearest-neighbour scans and GIN for the full-text one.
    const rows = await db.query<CandidateRow>(
      `WITH ex AS (SELECT e.skill_id FROM skill_examples e WHERE e.dims = ${d}
         ORDER BY e.embedding::vector(${d}) <=> $1::vector(${d}) LIMIT $3),
       dc AS (SELECT s.skill_id FROM skill_index s WHERE s.dims = ${d}
         ORDER BY s.embedding::vector(${d}) <=> $1::vector(${d}) LIMIT $4),
       cand AS (SELECT skill_id FROM ex UNION SELECT skill_id FROM dc UNION SELECT unnest($5::text[]))
       SELECT s.skill_id, s.tags,
         1 - (s.embedding::vector(${d}) <=> $1::vector(${d})) AS doc_sim,
         (SELECT max(1 - (e.embedding::vector(${d}) <=> $1::vector(${d}))) FROM skill_examples e
           WHERE e.skill_id = s.skill_id AND e.dims = ${d}) AS ex_sim,
         ts_rank_cd(s.fts, to_tsquery('english', $2), 1) AS fts_rank
       FROM cand JOIN skill_index s ON s.skill_id = cand.skill_id WHERE s.dims = ${d}`,
      [vec, tsq, this.k * 2, this.k, extra],
    );
    const queryStems = contentStems(query);
    return rows.rows.map((r) => ({
      skill: r.skill_id,
      signals: {
        vector: Math.max(0, r.doc_sim),
        example: Math.max(0, r.ex_sim ?? 0),
        fulltext: squashRank(r.fts_rank),
        tags: tagScore(r.tags, queryStems),
        lexicalExample: lex.get(r.skill_id)?.example ?? 0,
        lexicalDocument: lex.get(r.skill_id)?.document ?? 0,
        form: lexical.formMatch(query, r.skill_id),
        feedback: adjust.get(r.skill_id) ?? 0,
      },
    }));
  }

  async route(query: string, opts: { principal: Principal; limit?: number }): Promise<RouteResult> {
    const scored = (await this.signals(query, opts.principal)).map((c) => ({
      ...c,
      score: combinedScore(c.signals),
    }));
    scored.sort((a, b) => b.score - a.score || a.skill.localeCompare(b.skill));
    const top = scored[0];
    const margin = top ? top.score - (scored[1]?.score ?? 0) : 0;
    const confidence = top ? confidenceOf(top.score, margin) : 0;
    const candidates: RouteCandidate[] = scored.slice(0, opts.limit ?? 5).map((c, i) => ({
      skill: c.skill,
      score: i === 0 ? confidence : confidenceOf(c.score, c.score - top.score),
      signals: roundSignals(c.signals),
    }));
    const chosen = top && confidence >= this.threshold ? top.skill : null;
    return {
      skill: chosen,
      confidence,
      margin,
      candidates,
      reason: !top
        ? 'no skills are indexed'
        : chosen
          ? `best match ${top.skill} (confidence ${confidence.toFixed(2)}, margin ${margin.toFixed(3)})`
          : `no skill is confident enough (best ${top.skill} at ${confidence.toFixed(2)} < ${this.threshold})`,
    };
  }
}

function tagScore(tags: string[], queryStems: Set<string>): number {
  if (tags.length === 0) return 0;
  let hit = 0;
  for (const t of tags) {
    const stems = contentStems(t);
    if (stems.size > 0 && [...stems].every((s) => queryStems.has(s))) hit += 1;
  }
  return Math.min(1, hit / 2);
}

function roundSignals(s: RouteSignals): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(s)) out[k] = Math.round(v * 1000) / 1000;
  return out;
}
