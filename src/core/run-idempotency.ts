import type { Skill } from '../tools/skill.js';
import { getApproval } from './approvals/approval-store.js';
import type { EngineInternals } from './engine-internals.js';
import { SkillgateError } from './errors.js';
import type { EventCollector } from './event-collector.js';
import { claimIdempotencyKey } from './gates/idempotency.js';
import type { Principal } from './principal.js';
import type { RunRecord } from './records/run-record.js';
import { getRun, insertEvents } from './records/run-store.js';
import type { RunRequest, RunResult } from './run-request.js';
import { resultOf } from './run-result.js';

/** Run statuses after which a run's stored result is final and can be replayed. */
const FINAL = new Set([
  'succeeded',
  'failed',
  'rejected',
  'denied',
  'expired',
  'dry_run',
  'interrupted',
  'cancelled',
]);

/**
 * The idempotency gate of an `execute` request with `req.idempotencyKey` (and `record.inputHash`
 * set). Returns undefined when this run claimed the key. Otherwise emits `idempotency_hit`, then
 * throws `idempotency.key_reused` (different input) or `idempotency.in_progress` (first run not
 * final nor waiting for approval), or stores this request's events under the first run and
 * returns its result with `replayed: true` (and its approval when it still waits for one).
 */
export async function replayIdempotent(
  engine: EngineInternals,
  req: RunRequest,
  principal: Principal,
  skill: Skill,
  record: RunRecord,
  ev: EventCollector,
  now: Date,
): Promise<RunResult | undefined> {
  const claim = await claimIdempotencyKey(engine.db, {
    tenant: principal.tenant,
    scope: req.idempotencyScope ?? principal.id,
    skillId: skill.id,
    key: req.idempotencyKey!,
    inputHash: record.inputHash!,
    runId: record.id,
    ttlMs: engine.config.idempotency_ttl,
    now,
  });
  if (claim.claimed) return undefined;
  ev.emit('idempotency_hit', {
    key: req.idempotencyKey,
    first_run: claim.runId,
    same_input: claim.inputHash === record.inputHash,
  });
  if (claim.inputHash !== record.inputHash) {
    throw new SkillgateError(
      'idempotency.key_reused',
      `Idempotency key "${req.idempotencyKey}" was already used for ${skill.id} with a different input (run ${claim.runId}).`,
      { first_run: claim.runId },
    );
  }
  const first = await getRun(engine.db, claim.runId, principal.tenant);
  if (!first || !(FINAL.has(first.status) || first.status === 'waiting_approval')) {
    throw new SkillgateError(
      'idempotency.in_progress',
      `The first request with idempotency key "${req.idempotencyKey}" (run ${claim.runId}) is still running.`,
      { first_run: claim.runId },
    );
  }
  await insertEvents(
    engine.db,
    ev.drain().map((e) => ({ ...e, runId: claim.runId })),
  );
  const result = resultOf(first, performance.now());
  if (first.status === 'waiting_approval' && first.approvalId) {
    const a = await getApproval(engine.db, first.approvalId, principal.tenant);
    if (a)
      result.approval = {
        id: a.id,
        expiresAt: a.expiresAt,
        approverRoles: a.approverRoles,
        quorum: a.quorum,
        reason: a.reason,
      };
  }
  return { ...result, replayed: true };
}
