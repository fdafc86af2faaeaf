import type { AuditEntryInput } from './audit/audit-log.js';
import type { SkillgateError } from './errors.js';
import type { Clock } from './ids.js';
import type { RunRecord } from './records/run-record.js';
import type { RunErrorInfo, RunResult } from './run-request.js';

/** The caller-facing result of a run record; `durationMs` falls back to the time since `started`. */
export function resultOf(record: RunRecord, started: number): RunResult {
  return {
    runId: record.id,
    requestId: record.requestId,
    status: record.status,
    skill: record.skillId ?? undefined,
    output: record.output,
    preview: record.preview,
    error: record.error as RunErrorInfo | undefined,
    costUsd: record.costUsd,
    durationMs: record.durationMs ?? Math.round(performance.now() - started),
  };
}

/** The stored form of an error on a run record or result. */
export function errorInfo(err: SkillgateError): RunErrorInfo {
  return err.toJSON();
}

/**
 * An audit entry about a run, acted by its principal: `data` is merged over the run's channel,
 * mode and parent. `ts` is read from `clock` when called.
 */
export function auditOf(
  clock: Clock,
  record: RunRecord,
  action: string,
  data: Record<string, unknown>,
): AuditEntryInput {
  return {
    tenant: record.tenant,
    actor: record.principal,
    action,
    target: record.skillId ?? undefined,
    runId: record.id,
    data: { channel: record.channel, mode: record.mode, parent: record.parentRunId ?? null, ...data },
    ts: clock(),
  };
}
