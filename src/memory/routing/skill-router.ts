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

/**
 * Per-skill signal columns over `skill_index s`, given a one-row relation `tq` with the tsquery `q`
 * and the query vector `v` (parsed once; no per-row casts).
 */
function signalColumns(d: number): string {
  return `s.skill_id, s.tags, 1 - (s.embedding <=> tq.v) AS doc_sim,
    1 - (SELECT min(e.embedding <=> tq.v) FROM skill_examples e
      WHERE e.skill_id = s.skill_id AND e.dims = ${d}) AS ex_sim,
    ts_rank_cd(s.fts, tq.q, 1) AS fts_rank`;
}

/**
 * The candidate query, one round trip: the nearest example utterances (HNSW; skill documents too
 * when `documents`, i.e. when some skill has no examples to be found by), plus `$5` extra skill
 * ids (lexical hits), collected into one id array so that the signal rows are fetched by primary
 * key (a join against the CTE made the planner scan all of `skill_index`), each with its signals,
 * and whether the tenant `$6` has any routing feedback at all. One HNSW traversal of `$3 + $4`
 * examples costs ~25% less than two ($3 examples, $4 documents) and routes the golden sets alike.
 * Parameters: $1 query vector, $2 tsquery text, $3 example neighbours, $4 document neighbours,
 * $5 extra skill ids, $6 tenant. The query vector is inlined (not joined from a CTE) so that the
 * planner uses the HNSW indexes; the per-row signals read it from `tq`.
 */
export function candidateSql(d: number, documents = false): string {
  const nearest = documents
    ? `(SELECT e.skill_id FROM skill_examples e WHERE e.dims = ${d}
        ORDER BY e.embedding::vector(${d}) <=> $1::vector(${d}) LIMIT $3)
      UNION (SELECT s.skill_id FROM skill_index s WHERE s.dims = ${d}
        ORDER BY s.embedding::vector(${d}) <=> $1::vector(${d}) LIMIT $4)`
    : `(SELECT e.skill_id FROM skill_examples e WHERE e.dims = ${d}
        ORDER BY e.embedding::vector(${d}) <=> $1::vector(${d}) LIMIT $3::int + $4::int)`;
  return `WITH ids AS (SELECT array(
      ${nearest}
      UNION SELECT unnest($5::text[])) AS a),
    tq AS (SELECT to_tsquery('english', $2) AS q, $1::vector(${d}) AS v)
    SELECT ${signalColumns(d)},
      EXISTS (SELECT 1 FROM routing_feedback f WHERE f.tenant = $6) AS has_feedback
    FROM tq, skill_index s WHERE s.skill_id = ANY((SELECT a FROM ids)::text[]) AND s.dims = ${d}`;
}

/** The signal rows of the given skills: $1 query vector, $2 tsquery text, $3 skill ids. */
function signalsByIdSql(d: number): string {
  return `WITH tq AS (SELECT to_tsquery('english', $2) AS q, $1::vector(${d}) AS v)
    SELECT ${signalColumns(d)} FROM tq, skill_index s WHERE s.skill_id = ANY($3::text[]) AND s.dims = ${d}`;
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
    const lex = lexical.score(query);
    const lexTop = [...lex]
      .sort((a, b) => b[1].document + b[1].example - (a[1].document + a[1].example))
      .slice(0, this.k)
      .map(([id]) => id);
    const first = await db.query<CandidateRow & { has_feedback: boolean }>(
      candidateSql(d, lexical.skillsWithoutExamples > 0),
      [vec, tsq, this.k * 2, this.k, lexTop, principal.tenant],
    );
    const rows: CandidateRow[] = first.rows;
    // Feedback is looked up only for tenants that have some: most have none, and the lookup is a
    // round trip of its own. Skills that feedback pulls towards join the candidates.
    let adjust = new Map<string, number>();
    if (first.rows[0]?.has_feedback) {
      adjust = await feedbackAdjustments(db, principal.tenant, vec, d);
      const have = new Set(rows.map((r) => r.skill_id));
      const missing = [...adjust].filter(([id, v]) => v > 0 && !have.has(id)).map(([id]) => id);
      if (missing.length > 0) {
        rows.push(...(await db.query<CandidateRow>(signalsByIdSql(d), [vec, tsq, missing])).rows);
      }
    }
    const queryStems = contentStems(query);
    return rows.map((r) => ({
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
