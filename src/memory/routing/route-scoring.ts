/**
 * How the router turns per-signal scores into one confidence. The weights and the logistic
 * calibration are global (never per query or per skill); they were fitted once on the routing
 * golden sets in `evals/routing/` and are re-checked by `skillgate eval routing` in CI.
 */
export interface RouteSignals {
  /** Cosine similarity of the query to the skill's document vector. */
  vector: number;
  /** Best cosine similarity of the query to one of the skill's example utterances. */
  example: number;
  /** Postgres full-text rank (ts_rank_cd, length-normalised), squashed to [0, 1). */
  fulltext: number;
  /** Share of the skill's tags named in the query, in [0, 1]. */
  tags: number;
  /** IDF-weighted share of the query's words in the skill's best example utterance. */
  lexicalExample: number;
  /** IDF-weighted share of the query's words anywhere in the skill's text. */
  lexicalDocument: number;
  /** Whether the query's form (question or command) matches the skill's example utterances, in [0, 1]. */
  form: number;
  /** Learned feedback: positive for corrections towards this skill, negative for rejections. */
  feedback: number;
}

/**
 * Fitted by random search on each golden set separately (dev, ours) and averaged, so that neither
 * set's quirks decide; held-out top-1 of either fit on the other set was 0.90–0.95.
 */
export const ROUTE_WEIGHTS = {
  vector: 0.187,
  example: 0.193,
  fulltext: 0.191,
  tags: 0.051,
  lexicalExample: 0.129,
  lexicalDocument: 0.161,
  form: 0.089,
} as const;

/** Logistic calibration of (score, margin) into P(top skill is right), fitted on both golden sets. */
export const CALIBRATION = { slope: 11.09, margin: 21.6, intercept: -5.45 } as const;

/** Below this confidence the router answers "no skill" (with suggestions). */
export const DEFAULT_THRESHOLD = 0.45;

export function squashRank(rank: number): number {
  return rank <= 0 ? 0 : rank / (rank + 0.05);
}

export function combinedScore(s: RouteSignals): number {
  return (
    ROUTE_WEIGHTS.vector * s.vector +
    ROUTE_WEIGHTS.example * s.example +
    ROUTE_WEIGHTS.fulltext * s.fulltext +
    ROUTE_WEIGHTS.tags * s.tags +
    ROUTE_WEIGHTS.lexicalExample * s.lexicalExample +
    ROUTE_WEIGHTS.lexicalDocument * s.lexicalDocument +
    ROUTE_WEIGHTS.form * s.form +
    s.feedback
  );
}

/** Probability that the top candidate is right, from its score and its margin over the runner-up. */
export function confidenceOf(score: number, margin: number): number {
  const z = CALIBRATION.slope * score + CALIBRATION.margin * margin + CALIBRATION.intercept;
  return 1 / (1 + Math.exp(-z));
}
