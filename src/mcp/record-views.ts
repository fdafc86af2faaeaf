import type { ApprovalRecord } from '../core/approvals/approval-record.js';
import type { Config } from '../core/config/config-schema.js';
import type { Principal } from '../core/principal.js';
import type { RunRecord } from '../core/records/run-record.js';

/** Principals holding an approver role see every run and approval of their tenant; others their own. */
export function oversees(config: Config, principal: Principal): boolean {
  return principal.roles.some((r) => config.approval.approver_roles.includes(r));
}

export function mayReadRun(config: Config, principal: Principal, run: RunRecord): boolean {
  return run.tenant === principal.tenant && (run.principal === principal.id || oversees(config, principal));
}

export function mayReadApproval(principal: Principal, a: ApprovalRecord): boolean {
  return (
    a.tenant === principal.tenant &&
    (a.requestedBy === principal.id || principal.roles.some((r) => a.approverRoles.includes(r)))
  );
}

function iso(d: Date | null | undefined): string | null {
  return d ? new Date(d).toISOString() : null;
}

/** A run as MCP clients see it (tool result of `runs_get` and the `skillgate://runs/{id}` resource). */
export function runView(run: RunRecord): Record<string, unknown> {
  return {
    run_id: run.id,
    skill: run.skillId ?? null,
    status: run.status,
    principal: run.principal,
    channel: run.channel,
    mode: run.mode,
    query: run.query ?? null,
    input: run.input ?? null,
    output: run.output ?? null,
    preview: run.preview ?? null,
    error: run.error ?? null,
    approval_id: run.approvalId ?? null,
    cost_usd: run.costUsd,
    tokens: run.tokens,
    attempts: run.attempts,
    created_at: iso(run.createdAt),
    finished_at: iso(run.finishedAt),
    duration_ms: run.durationMs ?? null,
    steps: (run.steps ?? []).map((s) => ({
      step: s.stepId,
      skill: s.skillId,
      status: s.status,
      child_run: s.childRunId ?? null,
      started_at: iso(s.startedAt),
      finished_at: iso(s.finishedAt),
      error: s.error ?? null,
    })),
  };
}

/** An approval as MCP clients see it. */
export function approvalView(a: ApprovalRecord): Record<string, unknown> {
  return {
    approval_id: a.id,
    run_id: a.runId,
    skill: a.skillId,
    status: a.status,
    risk: a.risk,
    reason: a.reason,
    requested_by: a.requestedBy,
    input: a.input,
    preview: a.preview ?? null,
    approver_roles: a.approverRoles,
    quorum: a.quorum,
    votes: a.decisions.filter((d) => d.decision === 'approve').length,
    decisions: a.decisions.map((d) => ({
      principal: d.principal,
      decision: d.decision,
      comment: d.comment ?? null,
      channel: d.channel,
      decided_at: iso(d.decidedAt),
    })),
    created_at: iso(a.createdAt),
    expires_at: iso(a.expiresAt),
  };
}
