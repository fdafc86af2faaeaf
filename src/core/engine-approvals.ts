import type { ApprovalRecord } from './approvals/approval-record.js';
import {
  claimForExecution,
  expireDueApprovals,
  finishApproval,
  getApproval,
  insertApproval,
  recordDecision,
} from './approvals/approval-store.js';
import { appendAudit } from './audit/audit-log.js';
import type { EngineInternals, SkillEntry } from './engine-internals.js';
import { SkillgateError, toSkillgateError } from './errors.js';
import { EventCollector } from './event-collector.js';
import type { EngineEvent } from './events.js';
import type { ApprovalRequirement } from './gates/policy.js';
import { inputHash } from './hash.js';
import type { Principal } from './principal.js';
import type { RunRecord } from './records/run-record.js';
import { getRun, insertEvents, insertRun, updateRun } from './records/run-store.js';
import { createRunContext } from './run-context.js';
import { executeRun } from './run-execution.js';
import { previewOf } from './run-preview.js';
import type { RunRequest, RunResult } from './run-request.js';
import { auditOf, errorInfo, resultOf } from './run-result.js';

export interface DecideRequest {
  approvalId: string;
  principal: Principal;
  decision: 'approve' | 'deny';
  comment?: string;
  channel: string;
}

export interface DecideResult {
  approval: ApprovalRecord;
  /** The run's result when this decision approved it and it executed. */
  run?: RunResult;
}

/**
 * The approval flow of one engine: parks a run behind an approval with its preview, records
 * decisions, executes approved input exactly once and expires overdue approvals. Emits
 * `approval_requested` through the run's collector, `approval_decided`/`approval_expired` directly.
 */
export class EngineApprovals {
  constructor(private readonly engine: EngineInternals) {}

  /**
   * Previews the run (as a dry run), then records the run as `waiting_approval` with its
   * redacted preview, the approval, a `approval.requested` audit entry and the events in one
   * transaction. Returns a `pending_approval` result.
   */
  async request(
    entry: SkillEntry,
    record: RunRecord,
    req: RunRequest,
    requirement: ApprovalRequirement,
    ev: EventCollector,
    started: number,
  ): Promise<RunResult> {
    const engine = this.engine;
    const { ctx } = createRunContext(engine, entry, { ...record, mode: 'dry_run' }, req, ev, false);
    const p = await previewOf(entry.handler, entry.skill, ctx, req.signal);
    const preview = engine.secrets.redactValue(
      p.output === undefined ? p.preview : { ...(p.preview as object), output: p.output },
    );
    const now = engine.clock();
    const approval: Omit<ApprovalRecord, 'decisions' | 'status'> = {
      id: engine.ids('apr'),
      tenant: record.tenant,
      runId: record.id,
      skillId: entry.skill.id,
      skillVersion: entry.skill.spec.version,
      input: record.input as Record<string, unknown>,
      inputHash: record.inputHash!,
      preview,
      requestedBy: req.principal.id,
      requester: req.principal,
      channel: req.channel,
      risk: entry.skill.spec.risk,
      reason: requirement.reason,
      approverRoles: requirement.approverRoles,
      quorum: requirement.quorum,
      allowSelf: requirement.allowSelf,
      createdAt: now,
      expiresAt: new Date(now.getTime() + requirement.expiresInMs),
    };
    record.status = 'waiting_approval';
    record.preview = preview;
    record.approvalId = approval.id;
    ev.emit('approval_requested', {
      approval: approval.id,
      risk: approval.risk,
      approver_roles: approval.approverRoles,
      quorum: approval.quorum,
      expires_at: approval.expiresAt.toISOString(),
    });
    await engine.db.tx(async (q) => {
      await insertRun(q, record);
      await insertApproval(q, approval);
      await appendAudit(q, [
        auditOf(engine.clock, record, 'approval.requested', { approval: approval.id, risk: approval.risk }),
      ]);
      await insertEvents(q, ev.drain());
    });
    const result = resultOf(record, started);
    result.status = 'pending_approval';
    result.approval = {
      id: approval.id,
      expiresAt: approval.expiresAt,
      approverRoles: approval.approverRoles,
      quorum: approval.quorum,
      reason: approval.reason,
    };
    return result;
  }

  /** See `Engine.decide`. */
  async decide(req: DecideRequest): Promise<DecideResult> {
    const engine = this.engine;
    const now = engine.clock();
    const outcome = await engine.db.tx(async (q) => {
      const o = await recordDecision(q, {
        id: req.approvalId,
        principal: req.principal,
        decision: req.decision,
        comment: req.comment,
        channel: req.channel,
        now,
      });
      const a = o.approval;
      const action =
        o.kind === 'expired'
          ? 'approval.expired'
          : `approval.${req.decision === 'deny' ? 'denied' : a.status === 'approved' ? 'approved' : 'vote'}`;
      await appendAudit(q, [
        {
          tenant: a.tenant,
          actor: req.principal.id,
          action,
          target: a.skillId,
          runId: a.runId,
          data: { approval: a.id, comment: req.comment ?? null, channel: req.channel },
          ts: now,
        },
      ]);
      if (o.kind === 'expired') await updateRun(q, a.runId, { status: 'expired', finishedAt: now });
      if (a.status === 'denied') {
        const err = new SkillgateError(
          'approval.denied',
          `${req.principal.id} denied the run of ${a.skillId}.`,
          { approval: a.id },
        );
        await updateRun(q, a.runId, { status: 'denied', error: errorInfo(err), finishedAt: now });
      }
      return o;
    });
    const a = outcome.approval;
    this.emitApprovalEvent(a, outcome.kind === 'expired' ? 'approval_expired' : 'approval_decided', {
      decided_by: req.principal.id,
      decision: req.decision,
    });
    if (outcome.kind === 'expired') {
      throw new SkillgateError(
        'approval.expired',
        `Approval ${a.id} expired at ${a.expiresAt.toISOString()} before it was decided.`,
        { approval: a.id },
      );
    }
    if (a.status !== 'approved') return { approval: a };
    const run = await engine.executeApproved(a.id);
    const fresh = (await getApproval(engine.db, a.id)) ?? a;
    return { approval: fresh, run };
  }

  /** See `Engine.executeApproved`. */
  async executeApproved(approvalId: string): Promise<RunResult | undefined> {
    const engine = this.engine;
    if (!(await claimForExecution(engine.db, approvalId))) return undefined;
    const a = (await getApproval(engine.db, approvalId))!;
    const run = (await getRun(engine.db, a.runId))!;
    const started = performance.now();
    const ev = new EventCollector(run.requestId, a.tenant, [(e) => engine.emit(e)], engine.clock);
    ev.runId = run.id;
    ev.skillId = a.skillId;
    let entry: SkillEntry;
    try {
      entry = engine.registry.require(a.skillId);
      const hash = inputHash(entry.skill.id, entry.skill.spec.version, a.input);
      if (hash !== a.inputHash || hash !== run.inputHash) {
        throw new SkillgateError(
          'approval.input_mismatch',
          `${a.skillId} changed (version ${a.skillVersion} -> ${entry.skill.spec.version}) or its input did since approval ${a.id}; request it again.`,
          { approval: a.id },
        );
      }
    } catch (err) {
      const e = toSkillgateError(err);
      await engine.db.tx(async (q) => {
        await updateRun(q, run.id, { status: 'failed', error: errorInfo(e), finishedAt: engine.clock() });
        await finishApproval(q, a.id, 'failed', engine.clock());
        await appendAudit(q, [
          auditOf(engine.clock, { ...run, status: 'failed' }, 'run.failed', {
            error: e.code,
            approval: a.id,
          }),
        ]);
      });
      return { ...resultOf({ ...run, status: 'failed', error: errorInfo(e) }, started) };
    }
    const req: RunRequest = {
      principal: a.requester,
      channel: a.channel,
      requestId: run.requestId,
      parentRunId: run.parentRunId ?? undefined,
    };
    const result = await executeRun(engine, entry, { ...run, input: a.input }, req, ev, started, {
      insert: false,
      coveredByApproval: true,
    });
    await finishApproval(
      engine.db,
      a.id,
      result.status === 'succeeded' ? 'executed' : 'failed',
      engine.clock(),
    );
    return result;
  }

  /** See `Engine.expireApprovals`. */
  async expire(): Promise<number> {
    const engine = this.engine;
    const now = engine.clock();
    const expired = await engine.db.tx(async (q) => {
      const rows = await expireDueApprovals(q, now);
      for (const r of rows) await updateRun(q, r.runId, { status: 'expired', finishedAt: now });
      if (rows.length) {
        await appendAudit(
          q,
          rows.map((r) => ({
            tenant: r.tenant,
            actor: 'system',
            action: 'approval.expired',
            runId: r.runId,
            data: { approval: r.id },
            ts: now,
          })),
        );
      }
      return rows;
    });
    for (const r of expired) {
      const a = await getApproval(engine.db, r.id);
      if (a) this.emitApprovalEvent(a, 'approval_expired', {});
    }
    return expired.length;
  }

  private emitApprovalEvent(
    a: ApprovalRecord,
    type: 'approval_decided' | 'approval_expired',
    data: Record<string, unknown>,
  ): void {
    const event: EngineEvent = {
      type,
      requestId: a.runId,
      runId: a.runId,
      tenant: a.tenant,
      skillId: a.skillId,
      ts: this.engine.clock(),
      data: { approval: a.id, status: a.status, ...data },
    };
    this.engine.emit(event);
    insertEvents(this.engine.db, [event]).catch(() => {});
  }
}
