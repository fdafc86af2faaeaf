import type { BuiltinHandler, HandlerContext } from '../../handler.js';
import { globToLike } from './glob-like.js';

interface RunHistoryInput {
  skill?: string;
  user?: string;
  status?: string;
  since?: string;
  limit?: number;
  include_child_runs?: boolean;
  include_audit?: boolean;
}

/** The audit action recorded for a run status (`waiting_approval` -> `approval.requested`). */
function auditActionOf(status: string): string {
  return status === 'waiting_approval' ? 'approval.requested' : `run.${status}`;
}

/**
 * `ops.run_history`: the tenant's most recent runs (newest first) and audit entries, filtered by
 * skill (id or glob such as `crm.*`), user (principal id), status and start date. Pipeline step
 * runs are left out unless `include_child_runs`. Always filtered by the caller's tenant.
 */
export async function runHistory(ctx: HandlerContext) {
  const input = ctx.input as RunHistoryInput;
  const limit = input.limit ?? 20;
  const skill = input.skill ? globToLike(input.skill) : null;
  const user = input.user ?? null;
  const status = input.status ?? null;
  const since = input.since ?? null;
  const runs = await ctx.db.query(
    `SELECT id, skill_id AS skill, skill_version, principal AS "user", channel, mode, status,
            error->>'code' AS error_code, error->>'message' AS error_message, parent_run_id, approval_id,
            cost_usd, tokens, created_at, finished_at, duration_ms
       FROM runs
      WHERE tenant = $1
        AND ($2::text IS NULL OR skill_id LIKE $2)
        AND ($3::text IS NULL OR principal = $3)
        AND ($4::text IS NULL OR status = $4)
        AND ($5::date IS NULL OR created_at >= $5::date)
        AND ($6::boolean OR parent_run_id IS NULL)
      ORDER BY created_at DESC, id DESC
      LIMIT $7`,
    [ctx.tenant, skill, user, status, since, input.include_child_runs ?? false, limit],
  );
  let audit: unknown[] = [];
  if (input.include_audit ?? true) {
    const r = await ctx.db.query(
      `SELECT seq, ts, actor AS "user", action, target AS skill, run_id, data
         FROM audit_log
        WHERE tenant = $1
          AND ($2::text IS NULL OR target LIKE $2)
          AND ($3::text IS NULL OR actor = $3)
          AND ($4::text IS NULL OR action = $4)
          AND ($5::date IS NULL OR ts >= $5::date)
        ORDER BY seq DESC
        LIMIT $6`,
      [ctx.tenant, skill, user, status ? auditActionOf(status) : null, since, limit],
    );
    audit = r.rows;
  }
  return {
    filters: { skill: input.skill ?? null, user, status, since, limit },
    runs: runs.rows,
    audit,
  };
}

/** The `ops.run_history` builtin (read-only). */
export const runHistoryBuiltin: BuiltinHandler = {
  async run(ctx) {
    return { output: await runHistory(ctx) };
  },
};
