import { z } from 'zod';
import type { Principal } from '../../core/principal.js';
import type { SkillRouter } from '../../core/router-port.js';

export const RoutingCaseSchema = z.object({
  query: z.string().min(1),
  /** The skill that should be chosen, or null when no skill should be. */
  expected: z.string().nullable(),
});
export type RoutingCase = z.infer<typeof RoutingCaseSchema>;

export interface RoutingCaseResult {
  query: string;
  expected: string | null;
  predicted: string | null;
  confidence: number;
  top3: string[];
}

export interface RoutingEvalReport {
  results: RoutingCaseResult[];
  /** In-scope queries whose chosen skill is the expected one. */
  top1: number;
  /** In-scope queries whose expected skill is among the three best candidates. */
  top3: number;
  /** Of the "no skill" answers, the share that were right. */
  no_skill_precision: number;
  /** Of the out-of-scope queries, the share answered "no skill". */
  no_skill_recall: number;
  /** In-scope queries wrongly answered "no skill". */
  false_rejection_rate: number;
  /** Mean squared error of the confidence as the probability that the answer is right. */
  brier: number;
  in_scope: number;
  out_of_scope: number;
}

/** Parses a JSON-lines golden set (`{"query": ..., "expected": ...}` per line; `#` comments allowed). */
export function parseRoutingCases(text: string): RoutingCase[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l, i) => {
      try {
        return RoutingCaseSchema.parse(JSON.parse(l));
      } catch (err) {
        throw new Error(`line ${i + 1}: ${(err as Error).message}`);
      }
    });
}

/** Routes every case and computes the metrics CI gates on. */
export async function evaluateRouting(
  router: SkillRouter,
  cases: RoutingCase[],
  principal: Principal,
): Promise<RoutingEvalReport> {
  const results: RoutingCaseResult[] = [];
  for (const c of cases) {
    const r = await router.route(c.query, { principal, limit: 3 });
    results.push({
      query: c.query,
      expected: c.expected,
      predicted: r.skill,
      confidence: Math.round(r.confidence * 1000) / 1000,
      top3: r.candidates.slice(0, 3).map((x) => x.skill),
    });
  }
  const inScope = results.filter((r) => r.expected !== null);
  const outScope = results.filter((r) => r.expected === null);
  const predictedNone = results.filter((r) => r.predicted === null);
  const ratio = (n: number, d: number) => (d === 0 ? 1 : Math.round((n / d) * 1000) / 1000);
  const brier =
    results.reduce((sum, r) => {
      // The confidence is the probability that the top candidate is the right answer; for an
      // out-of-scope query the right answer is "no skill", so the outcome is 0.
      const right = r.expected !== null && r.top3[0] === r.expected ? 1 : 0;
      return sum + (r.confidence - right) ** 2;
    }, 0) / Math.max(1, results.length);
  return {
    results,
    top1: ratio(inScope.filter((r) => r.predicted === r.expected).length, inScope.length),
    top3: ratio(inScope.filter((r) => r.top3.includes(r.expected!)).length, inScope.length),
    no_skill_precision: ratio(predictedNone.filter((r) => r.expected === null).length, predictedNone.length),
    no_skill_recall: ratio(outScope.filter((r) => r.predicted === null).length, outScope.length),
    false_rejection_rate: ratio(inScope.filter((r) => r.predicted === null).length, inScope.length),
    brier: Math.round(brier * 10000) / 10000,
    in_scope: inScope.length,
    out_of_scope: outScope.length,
  };
}
