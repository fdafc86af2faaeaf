import type { Queryable } from '../../db/db.js';
import { SkillgateError } from '../errors.js';
import type { Principal } from '../principal.js';
import type { ApprovalDecisionRecord, ApprovalRecord, ApprovalStatus } from './approval-record.js';

interface ApprovalRow {
  id: string;
  tenant: string;
  run_id: string;
  skill_id: string;
  skill_version: string;
  input: Record<string, unknown>;
  input_hash: string;
  preview: unknown;
  requested_by: string;
  requester: Principal;
  channel: string;
  risk: ApprovalRecord['risk'];
  reason: string;
  approver_roles: string[];
  quorum: number;
  allow_self: boolean;
  status: ApprovalStatus;
  created_at: Date;
  expires_at: Date;
  decided_at: Date | null;
  executed_at: Date | null;
}

function fromRow(r: ApprovalRow, decisions: ApprovalDecisionRecord[]): ApprovalRecord {
  return {
    id: r.id,
    tenant: r.tenant,
    runId: r.run_id,
    skillId: r.skill_id,
    skillVersion: r.skill_version,
    input: r.input,
    inputHash: r.input_hash,
    preview: r.preview,
    requestedBy: r.requested_by,
    requester: r.requester,
    channel: r.channel,
    risk: r.risk,
    reason: r.reason,
    approverRoles: r.approver_roles,
    quorum: r.quorum,
    allowSelf: r.allow_self,
    status: r.status,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    decidedAt: r.decided_at,
    executedAt: r.executed_at,
    decisions,
  };
}

export async function insertApproval(
  q: Queryable,
  a: Omit<ApprovalRecord, 'decisions' | 'status'>,
): Promise<void> {
  await q.query(
    `INSERT INTO approvals (id, tenant, run_id, skill_id, skill_version, input, input_hash, preview, requested_by, requester, channel,
       risk, reason, approver_roles, quorum, allow_self, status, created_at, expires_at)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,'pending',$17,$18)`,
    [
      a.id,
      a.tenant,
      a.runId,
      a.skillId,
      a.skillVersion,
      JSON.stringify(a.input),
      a.inputHash,
      JSON.stringify(a.preview ?? null),
      a.requestedBy,
      JSON.stringify(a.requester),
      a.channel,
      a.risk,
      a.reason,
      a.approverRoles,
      a.quorum,
      a.allowSelf,
      a.createdAt,
      a.expiresAt,
    ],
  );
}

async function decisionsOf(q: Queryable, id: string): Promise<ApprovalDecisionRecord[]> {
  const r = await q.query<{
    principal: string;
    decision: 'approve' | 'deny';
    comment: string | null;
    channel: string;
    decided_at: Date;
  }>(
    'SELECT principal, decision, comment, channel, decided_at FROM approval_decisions WHERE approval_id = $1 ORDER BY decided_at',
    [id],
  );
  return r.rows.map((d) => ({
    principal: d.principal,
    decision: d.decision,
    comment: d.comment,
    channel: d.channel,
    decidedAt: d.decided_at,
  }));
}

export async function getApproval(
  q: Queryable,
  id: string,
  tenant?: string,
  lock = false,
): Promise<ApprovalRecord | undefined> {
  const r = await q.query<ApprovalRow>(
    `SELECT * FROM approvals WHERE id = $1${tenant ? ' AND tenant = $2' : ''}${lock ? ' FOR UPDATE' : ''}`,
    tenant ? [id, tenant] : [id],
  );
  if (!r.rows[0]) return undefined;
  return fromRow(r.rows[0], await decisionsOf(q, id));
}

export async function listApprovals(
  q: Queryable,
  o: { tenant: string; status?: ApprovalStatus | 'all'; limit?: number },
): Promise<ApprovalRecord[]> {
  const status = o.status ?? 'pending';
  const r = await q.query<ApprovalRow>(
    `SELECT * FROM approvals WHERE tenant = $1 ${status === 'all' ? '' : 'AND status = $3'}
     ORDER BY created_at DESC LIMIT $2`,
    status === 'all' ? [o.tenant, o.limit ?? 50] : [o.tenant, o.limit ?? 50, status],
  );
  const out: ApprovalRecord[] = [];
  for (const row of r.rows) out.push(fromRow(row, await decisionsOf(q, row.id)));
  return out;
}

export type DecisionOutcome =
  | { kind: 'recorded'; approval: ApprovalRecord }
  | { kind: 'expired'; approval: ApprovalRecord };

/**
 * Records one principal's decision, enforcing the rules (fails closed): the approval must be
 * pending and unexpired, the principal must hold an approver role, may not decide twice, and may
 * not approve their own high-risk request unless the policy allows it. A deny decides at once;
 * approvals decide when `quorum` distinct approvers agreed. Call inside a transaction.
 */
export async function recordDecision(
  q: Queryable,
  args: {
    id: string;
    principal: Principal;
    decision: 'approve' | 'deny';
    comment?: string;
    channel: string;
    now: Date;
  },
): Promise<DecisionOutcome> {
  const a = await getApproval(q, args.id, args.principal.tenant, true);
  if (!a) throw new SkillgateError('approval.not_found', `No approval "${args.id}".`, { approval: args.id });
  if (a.status === 'pending' && a.expiresAt.getTime() <= args.now.getTime()) {
    await q.query(`UPDATE approvals SET status = 'expired', decided_at = $2 WHERE id = $1`, [a.id, args.now]);
    return { kind: 'expired', approval: { ...a, status: 'expired' } };
  }
  if (a.status === 'expired') {
    throw new SkillgateError(
      'approval.expired',
      `Approval ${a.id} expired at ${a.expiresAt.toISOString()}.`,
      { approval: a.id },
    );
  }
  if (a.status !== 'pending') {
    throw new SkillgateError('approval.not_pending', `Approval ${a.id} is already ${a.status}.`, {
      approval: a.id,
      status: a.status,
    });
  }
  if (!args.principal.roles.some((r) => a.approverRoles.includes(r))) {
    throw new SkillgateError(
      'approval.not_approver',
      `${args.principal.id} may not decide approval ${a.id}: it needs one of the roles ${a.approverRoles.join(', ')}.`,
      { approval: a.id, principal: args.principal.id },
    );
  }
  if (
    args.decision === 'approve' &&
    a.requestedBy === args.principal.id &&
    a.risk === 'high' &&
    !a.allowSelf
  ) {
    throw new SkillgateError(
      'approval.self_approval',
      `${args.principal.id} requested this high-risk run of ${a.skillId} and cannot approve it; another approver must.`,
      { approval: a.id, principal: args.principal.id },
    );
  }
  if (a.decisions.some((d) => d.principal === args.principal.id)) {
    throw new SkillgateError(
      'approval.already_decided',
      `${args.principal.id} already decided approval ${a.id}.`,
      {
        approval: a.id,
        principal: args.principal.id,
      },
    );
  }
  await q.query(
    'INSERT INTO approval_decisions (approval_id, principal, decision, comment, channel, decided_at) VALUES ($1,$2,$3,$4,$5,$6)',
    [a.id, args.principal.id, args.decision, args.comment ?? null, args.channel, args.now],
  );
  const decisions = [
    ...a.decisions,
    {
      principal: args.principal.id,
      decision: args.decision,
      comment: args.comment,
      channel: args.channel,
      decidedAt: args.now,
    },
  ];
  let status: ApprovalStatus = 'pending';
  if (args.decision === 'deny') status = 'denied';
  else if (decisions.filter((d) => d.decision === 'approve').length >= a.quorum) status = 'approved';
  if (status !== 'pending') {
    await q.query('UPDATE approvals SET status = $2, decided_at = $3 WHERE id = $1', [
      a.id,
      status,
      args.now,
    ]);
  }
  return {
    kind: 'recorded',
    approval: { ...a, status, decisions, decidedAt: status !== 'pending' ? args.now : null },
  };
}

/** Claims an approved approval for execution; only one caller (on any replica) ever wins. */
export async function claimForExecution(q: Queryable, id: string): Promise<boolean> {
  const r = await q.query(
    `UPDATE approvals SET status = 'executing' WHERE id = $1 AND status = 'approved' RETURNING id`,
    [id],
  );
  return r.rows.length === 1;
}

export async function finishApproval(
  q: Queryable,
  id: string,
  status: 'executed' | 'failed',
  now: Date,
): Promise<void> {
  await q.query('UPDATE approvals SET status = $2, executed_at = $3 WHERE id = $1', [id, status, now]);
}

/** Marks overdue pending approvals expired; returns them (their runs become `expired`). */
export async function expireDueApprovals(
  q: Queryable,
  now: Date,
): Promise<{ id: string; runId: string; tenant: string }[]> {
  const r = await q.query<{ id: string; run_id: string; tenant: string }>(
    `UPDATE approvals SET status = 'expired', decided_at = $1 WHERE status = 'pending' AND expires_at <= $1 RETURNING id, run_id, tenant`,
    [now],
  );
  return r.rows.map((x) => ({ id: x.id, runId: x.run_id, tenant: x.tenant }));
}

export async function addApprovalMessage(
  q: Queryable,
  approvalId: string,
  channel: string,
  ref: unknown,
): Promise<void> {
  await q.query('INSERT INTO approval_messages (approval_id, channel, ref) VALUES ($1, $2, $3)', [
    approvalId,
    channel,
    JSON.stringify(ref),
  ]);
}
