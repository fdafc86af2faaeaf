import type { BuiltinHandler, HandlerContext } from '../../handler.js';
import { globToLike } from '../ops/glob-like.js';
import { type PeriodInput, resolvePeriod } from './report-period.js';

interface UsageInput extends PeriodInput {
  user?: string;
  skill?: string;
  top?: number;
}

/** One line of a breakdown: runs from `runs`, LLM use from the `budget_ledger` (`kind = 'llm'`). */
export interface UsageLine {
  runs: number;
  requests: number;
  failed: number;
  cost_usd: number;
  tokens: number;
  llm_calls: number;
  llm_cost_usd: number;
  input_tokens: number;
  output_tokens: number;
}

const EMPTY: UsageLine = {
  runs: 0,
  requests: 0,
  failed: 0,
  cost_usd: 0,
  tokens: 0,
  llm_calls: 0,
  llm_cost_usd: 0,
  input_tokens: 0,
  output_tokens: 0,
};

const round = (n: number, digits = 6) => Math.round(n * 10 ** digits) / 10 ** digits;

async function breakdown(ctx: HandlerContext, column: 'principal' | 'skill_id', params: unknown[]) {
  const runs = await ctx.db.query<{
    key: string | null;
    runs: number;
    requests: number;
    failed: number;
    cost_usd: number;
    tokens: number;
  }>(
    `SELECT ${column} AS key, count(*) AS runs, count(*) FILTER (WHERE parent_run_id IS NULL) AS requests,
            count(*) FILTER (WHERE status = 'failed') AS failed,
            COALESCE(sum(cost_usd), 0) AS cost_usd, COALESCE(sum(tokens), 0) AS tokens
       FROM runs
      WHERE tenant = $1 AND mode = 'execute' AND created_at >= $2 AND created_at < $3
        AND ($4::text IS NULL OR principal = $4) AND ($5::text IS NULL OR skill_id LIKE $5)
      GROUP BY ${column}`,
    params,
  );
  const llm = await ctx.db.query<{
    key: string | null;
    calls: number;
    usd: number;
    input_tokens: number;
    output_tokens: number;
  }>(
    `SELECT ${column} AS key, count(*) AS calls, COALESCE(sum(usd), 0) AS usd,
            COALESCE(sum(input_tokens), 0) AS input_tokens, COALESCE(sum(output_tokens), 0) AS output_tokens
       FROM budget_ledger
      WHERE tenant = $1 AND kind = 'llm' AND created_at >= $2 AND created_at < $3
        AND ($4::text IS NULL OR principal = $4) AND ($5::text IS NULL OR skill_id LIKE $5)
      GROUP BY ${column}`,
    params,
  );
  const lines = new Map<string, UsageLine>();
  const line = (key: string | null) => {
    const k = key ?? '(none)';
    let l = lines.get(k);
    if (!l) {
      l = { ...EMPTY };
      lines.set(k, l);
    }
    return l;
  };
  for (const r of runs.rows) {
    const l = line(r.key);
    l.runs = Number(r.runs);
    l.requests = Number(r.requests);
    l.failed = Number(r.failed);
    l.cost_usd = round(Number(r.cost_usd));
    l.tokens = Number(r.tokens);
  }
  for (const r of llm.rows) {
    const l = line(r.key);
    l.llm_calls = Number(r.calls);
    l.llm_cost_usd = round(Number(r.usd));
    l.input_tokens = Number(r.input_tokens);
    l.output_tokens = Number(r.output_tokens);
  }
  return [...lines.entries()]
    .map(([key, l]) => ({ key, ...l }))
    .sort(
      (a, b) =>
        b.cost_usd + b.llm_cost_usd - (a.cost_usd + a.llm_cost_usd) ||
        b.runs - a.runs ||
        a.key.localeCompare(b.key),
    );
}

/**
 * `reports.usage`: runs, cost and tokens (from `runs`) and LLM calls, cost and tokens (from the
 * `budget_ledger`, kind `llm`) by user, by skill and by model over a period; only executions
 * (no dry runs), only the caller's tenant. Optional filters: `user`, `skill` (id or glob).
 */
export async function usageReport(ctx: HandlerContext) {
  const input = ctx.input as UsageInput;
  const period = resolvePeriod(input);
  const top = input.top ?? 20;
  const params = [
    ctx.tenant,
    period.from,
    period.to,
    input.user ?? null,
    input.skill ? globToLike(input.skill) : null,
  ];
  const byUser = await breakdown(ctx, 'principal', params);
  const bySkill = await breakdown(ctx, 'skill_id', params);
  const models = await ctx.db.query<{
    model: string | null;
    calls: number;
    usd: number;
    input_tokens: number;
    output_tokens: number;
  }>(
    `SELECT model, count(*) AS calls, COALESCE(sum(usd), 0) AS usd,
            COALESCE(sum(input_tokens), 0) AS input_tokens, COALESCE(sum(output_tokens), 0) AS output_tokens
       FROM budget_ledger
      WHERE tenant = $1 AND kind = 'llm' AND created_at >= $2 AND created_at < $3
        AND ($4::text IS NULL OR principal = $4) AND ($5::text IS NULL OR skill_id LIKE $5)
      GROUP BY model ORDER BY usd DESC, calls DESC`,
    params,
  );
  const totals = { ...EMPTY };
  for (const l of byUser) {
    for (const k of Object.keys(EMPTY) as (keyof UsageLine)[]) totals[k] += l[k];
  }
  totals.cost_usd = round(totals.cost_usd);
  totals.llm_cost_usd = round(totals.llm_cost_usd);
  return {
    period: { from: period.from.toISOString(), to: period.to.toISOString(), label: period.label },
    filters: { user: input.user ?? null, skill: input.skill ?? null },
    totals,
    by_user: byUser.slice(0, top).map(({ key, ...l }) => ({ user: key, ...l })),
    by_skill: bySkill.slice(0, top).map(({ key, ...l }) => ({ skill: key, ...l })),
    by_model: models.rows.map((m) => ({
      model: m.model ?? '(unknown)',
      calls: Number(m.calls),
      cost_usd: round(Number(m.usd)),
      input_tokens: Number(m.input_tokens),
      output_tokens: Number(m.output_tokens),
    })),
  };
}

/** The `reports.usage` builtin (read-only: no preview; a dry run runs it). */
export const usageReportBuiltin: BuiltinHandler = {
  async run(ctx) {
    return { output: await usageReport(ctx) };
  },
};
