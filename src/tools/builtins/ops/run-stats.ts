import type { BuiltinHandler, HandlerContext } from '../../handler.js';

interface RunStatsInput {
  days?: number;
}

interface SkillStat {
  skill: string;
  runs: number;
  failed: number;
  avg_ms: number | null;
  p95_ms: number | null;
}

/**
 * `ops.run_stats` (internal, used by `reports.weekly_summary`): statistics of the tenant's
 * top-level runs over the last `days` (default 7): totals by status, success rate, users, cost,
 * the ten busiest skills with failures and latency, and approvals still pending.
 */
export async function runStats(ctx: HandlerContext) {
  const days = (ctx.input as RunStatsInput).days ?? 7;
  const to = new Date();
  const from = new Date(to.getTime() - days * 86_400_000);
  const where = 'tenant = $1 AND created_at >= $2 AND created_at <= $3 AND parent_run_id IS NULL';
  const params = [ctx.tenant, from, to];
  const byStatus = await ctx.db.query<{ status: string; n: number }>(
    `SELECT status, count(*) AS n FROM runs WHERE ${where} GROUP BY status ORDER BY status`,
    params,
  );
  const totals = await ctx.db.query<{ users: number; cost_usd: number; tokens: number }>(
    `SELECT count(DISTINCT principal) AS users, COALESCE(sum(cost_usd), 0) AS cost_usd, COALESCE(sum(tokens), 0) AS tokens
       FROM runs WHERE ${where}`,
    params,
  );
  const skills = await ctx.db.query<SkillStat>(
    `SELECT COALESCE(skill_id, '(unresolved)') AS skill, count(*) AS runs,
            count(*) FILTER (WHERE status = 'failed') AS failed,
            round(avg(duration_ms)) AS avg_ms,
            round(CAST(percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_ms) AS numeric)) AS p95_ms
       FROM runs WHERE ${where}
      GROUP BY skill_id ORDER BY runs DESC, skill LIMIT 10`,
    params,
  );
  const pending = await ctx.db.query<{ n: number }>(
    `SELECT count(*) AS n FROM approvals WHERE tenant = $1 AND status = 'pending'`,
    [ctx.tenant],
  );
  const status: Record<string, number> = {};
  for (const r of byStatus.rows) status[r.status] = Number(r.n);
  const total = Object.values(status).reduce((a, b) => a + b, 0);
  const succeeded = status.succeeded ?? 0;
  const failed = status.failed ?? 0;
  return {
    period: { from: from.toISOString(), to: to.toISOString(), days },
    total_runs: total,
    by_status: status,
    succeeded,
    failed,
    success_rate:
      succeeded + failed > 0 ? Math.round((succeeded / (succeeded + failed)) * 1000) / 1000 : null,
    users: Number(totals.rows[0]?.users ?? 0),
    cost_usd: Number(totals.rows[0]?.cost_usd ?? 0),
    tokens: Number(totals.rows[0]?.tokens ?? 0),
    top_skills: skills.rows.map((s) => ({
      skill: s.skill,
      runs: Number(s.runs),
      failed: Number(s.failed),
      avg_ms: s.avg_ms === null ? null : Number(s.avg_ms),
      p95_ms: s.p95_ms === null ? null : Number(s.p95_ms),
    })),
    pending_approvals: Number(pending.rows[0]?.n ?? 0),
  };
}

/** The `ops.run_stats` builtin (read-only, internal). */
export const runStatsBuiltin: BuiltinHandler = {
  async run(ctx) {
    return { output: await runStats(ctx) };
  },
};
