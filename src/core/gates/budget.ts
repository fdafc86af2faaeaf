import type { Queryable } from '../../db/db.js';
import type { Config } from '../config/config-schema.js';
import { SkillgateError } from '../errors.js';

export interface BudgetCap {
  scope: string;
  period: string;
  limitUsd?: number;
  label: string;
  resetsAt: Date;
}

export interface BudgetRequest {
  tenant: string;
  principal: string;
  usd: number;
  runId: string;
  skillId: string;
  now: Date;
}

/** UTC period keys: `day:2026-11-22`, `month:2026-11`, and when each resets. */
export function periods(now: Date): { day: string; month: string; dayResets: Date; monthResets: Date } {
  const iso = now.toISOString();
  return {
    day: `day:${iso.slice(0, 10)}`,
    month: `month:${iso.slice(0, 7)}`,
    dayResets: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1)),
    monthResets: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)),
  };
}

/** The counters a spend touches: tenant and user, per day and per month, with their caps (if any). */
export function capsFor(config: Config, tenant: string, principal: string, now: Date): BudgetCap[] {
  const p = periods(now);
  const user = config.budgets.users[principal] ?? config.budgets.user;
  const t = config.budgets.tenant;
  return [
    {
      scope: 'tenant',
      period: p.day,
      limitUsd: t.daily_usd,
      label: `tenant ${tenant} daily cap`,
      resetsAt: p.dayResets,
    },
    {
      scope: 'tenant',
      period: p.month,
      limitUsd: t.monthly_usd,
      label: `tenant ${tenant} monthly cap`,
      resetsAt: p.monthResets,
    },
    {
      scope: `user:${principal}`,
      period: p.day,
      limitUsd: user.daily_usd,
      label: `${principal}'s daily cap`,
      resetsAt: p.dayResets,
    },
    {
      scope: `user:${principal}`,
      period: p.month,
      limitUsd: user.monthly_usd,
      label: `${principal}'s monthly cap`,
      resetsAt: p.monthResets,
    },
  ];
}

function exceeded(cap: BudgetCap, usedUsd: number, wantUsd: number): SkillgateError {
  return new SkillgateError(
    'budget.exceeded',
    `Budget exceeded: the ${cap.label} is $${cap.limitUsd?.toFixed(4)}; $${usedUsd.toFixed(4)} is used and this run needs $${wantUsd.toFixed(4)}. It resets at ${cap.resetsAt.toISOString()}.`,
    {
      cap: cap.label,
      limit_usd: cap.limitUsd ?? null,
      used_usd: usedUsd,
      needed_usd: wantUsd,
      resets_at: cap.resetsAt.toISOString(),
    },
  );
}

/** Checks without reserving (fail fast before approval); no guarantee under concurrency. */
export async function precheckBudget(
  q: Queryable,
  config: Config,
  req: Omit<BudgetRequest, 'runId' | 'skillId'>,
): Promise<void> {
  if (req.usd <= 0) return;
  checkPerRequest(config, req.usd);
  for (const cap of capsFor(config, req.tenant, req.principal, req.now)) {
    if (cap.limitUsd === undefined) continue;
    const r = await q.query<{ used_usd: number }>(
      'SELECT used_usd FROM budget_usage WHERE tenant = $1 AND scope = $2 AND period = $3',
      [req.tenant, cap.scope, cap.period],
    );
    const used = r.rows[0]?.used_usd ?? 0;
    if (used + req.usd > cap.limitUsd + 1e-12) throw exceeded(cap, used, req.usd);
  }
}

function checkPerRequest(config: Config, usd: number): void {
  const per = config.budgets.per_request_usd;
  if (per !== undefined && usd > per) {
    throw new SkillgateError(
      'budget.exceeded',
      `Budget exceeded: this run is estimated at $${usd.toFixed(4)}, above the per-request cap of $${per.toFixed(4)}.`,
      { cap: 'per-request cap', limit_usd: per, used_usd: 0, needed_usd: usd, resets_at: null },
    );
  }
}

/**
 * Reserves the estimate against every cap, atomically: each counter is incremented only if it
 * stays within its cap (`INSERT .. ON CONFLICT DO UPDATE .. WHERE`, which locks the row), and any
 * refusal throws `budget.exceeded`, rolling back the caller's transaction. Run it inside `db.tx`.
 * Concurrent reservations therefore can never overspend a cap.
 */
export async function reserveBudget(q: Queryable, config: Config, req: BudgetRequest): Promise<void> {
  if (req.usd <= 0) return;
  checkPerRequest(config, req.usd);
  for (const cap of capsFor(config, req.tenant, req.principal, req.now)) {
    if (cap.limitUsd !== undefined && req.usd > cap.limitUsd + 1e-12) throw exceeded(cap, 0, req.usd);
    const r = await q.query<{ used_usd: number }>(
      `INSERT INTO budget_usage (tenant, scope, period, used_usd) VALUES ($1, $2, $3, $4)
       ON CONFLICT (tenant, scope, period) DO UPDATE SET used_usd = budget_usage.used_usd + EXCLUDED.used_usd
       WHERE $5::numeric IS NULL OR budget_usage.used_usd + EXCLUDED.used_usd <= $5::numeric + 1e-12
       RETURNING used_usd`,
      [req.tenant, cap.scope, cap.period, req.usd, cap.limitUsd ?? null],
    );
    if (r.rows.length === 0) {
      const cur = await q.query<{ used_usd: number }>(
        'SELECT used_usd FROM budget_usage WHERE tenant = $1 AND scope = $2 AND period = $3',
        [req.tenant, cap.scope, cap.period],
      );
      throw exceeded(cap, cur.rows[0]?.used_usd ?? 0, req.usd);
    }
  }
  await q.query(
    `INSERT INTO budget_ledger (tenant, principal, run_id, skill_id, kind, usd) VALUES ($1, $2, $3, $4, 'reserve', $5)`,
    [req.tenant, req.principal, req.runId, req.skillId, req.usd],
  );
}

/**
 * Replaces a reservation by the actual cost (`actualUsd`, which may be 0 for a failed run: the
 * reservation is released). Overspend by an actual above the estimate is recorded, never refused.
 */
export async function settleBudget(
  q: Queryable,
  req: BudgetRequest & { actualUsd: number; kind?: 'settle' | 'release' },
): Promise<void> {
  const delta = req.actualUsd - req.usd;
  if (req.usd <= 0 && req.actualUsd <= 0) return;
  if (delta !== 0) {
    const p = periods(req.now);
    for (const scope of ['tenant', `user:${req.principal}`]) {
      for (const period of [p.day, p.month]) {
        await q.query(
          `INSERT INTO budget_usage (tenant, scope, period, used_usd) VALUES ($1, $2, $3, $4)
           ON CONFLICT (tenant, scope, period) DO UPDATE SET used_usd = GREATEST(0, budget_usage.used_usd + EXCLUDED.used_usd)`,
          [req.tenant, scope, period, delta],
        );
      }
    }
  }
  await q.query(
    `INSERT INTO budget_ledger (tenant, principal, run_id, skill_id, kind, usd) VALUES ($1, $2, $3, $4, $5, $6)`,
    [req.tenant, req.principal, req.runId, req.skillId, req.kind ?? 'settle', delta],
  );
}

/** Current usage of every counter of a tenant (for `/metrics` and reports). */
export async function budgetUsage(
  q: Queryable,
  tenant: string,
): Promise<{ scope: string; period: string; used_usd: number }[]> {
  const r = await q.query<{ scope: string; period: string; used_usd: number }>(
    'SELECT scope, period, used_usd FROM budget_usage WHERE tenant = $1 ORDER BY period DESC, scope',
    [tenant],
  );
  return r.rows;
}
