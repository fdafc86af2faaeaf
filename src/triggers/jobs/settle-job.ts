import { ERROR_CODES, type ErrorCode } from '../../core/error-codes.js';
import { SkillgateError } from '../../core/errors.js';
import type { RunErrorInfo } from '../../core/run-request.js';
import type { Queryable } from '../../db/db.js';
import type { JobQueue } from './job-queue.js';
import type { JobRecord, JobState } from './job-record.js';
import { finishAttempt, updateJob } from './job-store.js';

/** How an attempt's run ended, from a `RunResult` or a stored run row. */
export interface RunOutcome {
  runId?: string;
  /** A RunResult status, or a run row status (`waiting_approval`, `running`, `interrupted`, ...). */
  status: string;
  output?: unknown;
  error?: RunErrorInfo;
  approvalId?: string;
}

/** Why the attempt stopped early, if it did: a cancel request, a shutdown, or a crash found by recovery. */
export type StopReason = 'cancel' | 'shutdown' | 'crash';

export interface SettleResult {
  state: JobState;
  retryAt?: Date;
}

function categoryOf(error?: RunErrorInfo): string {
  return (error && ERROR_CODES[error.code as ErrorCode]?.category) ?? 'system';
}

export function interruptedError(job: JobRecord, reason: StopReason): RunErrorInfo {
  const why = reason === 'shutdown' ? 'the server shut down' : 'the process running it stopped';
  return new SkillgateError(
    'job.interrupted',
    `Job ${job.id} (${job.skillId ?? 'routed request'}) was interrupted because ${why} while its run was in progress; it was not re-run because the skill is not idempotent.`,
    { job: job.id, run: job.runId ?? null },
  ).toJSON();
}

/**
 * Records the end of a job's current attempt and decides what comes next, inside the caller's
 * transaction (with the job row locked or claimed by the caller):
 * - succeeded / dry run -> `succeeded`; pending approval -> `waiting_approval`;
 * - cancelled by request -> `cancelled`;
 * - failed or interrupted, idempotent skill, attempts left, error not the caller's fault -> `queued`
 *   again, pg-boss scheduling the retry with exponential backoff and jitter;
 * - interrupted, not idempotent -> `interrupted` (a human decides: retry or cancel);
 * - otherwise -> `failed`, dead-lettered with the last error when it was an error (not a denial).
 */
export async function settleJob(
  q: Queryable,
  queue: JobQueue,
  job: JobRecord,
  outcome: RunOutcome,
  reason?: StopReason,
): Promise<SettleResult> {
  const attempt = job.attempts;
  const runId = outcome.runId ?? job.runId;
  const base = { runId: runId ?? null, workerId: null };
  const status = outcome.status;
  if (status === 'succeeded' || status === 'dry_run') {
    await updateJob(q, job.id, {
      ...base,
      state: 'succeeded',
      output: outcome.output ?? null,
      lastError: null,
      finishedAt: new Date(),
    });
    await finishAttempt(q, { jobId: job.id, attempt, outcome: 'succeeded', runId });
    await queue.completeDelivery(q, job);
    return { state: 'succeeded' };
  }
  if (status === 'pending_approval' || status === 'waiting_approval') {
    await updateJob(q, job.id, {
      ...base,
      state: 'waiting_approval',
      approvalId: outcome.approvalId ?? job.approvalId,
    });
    await finishAttempt(q, { jobId: job.id, attempt, outcome: 'waiting_approval', runId });
    await queue.completeDelivery(q, job, { waiting_approval: true });
    return { state: 'waiting_approval' };
  }
  if (reason === 'cancel' || (job.cancelRequested && status !== 'interrupted')) {
    await updateJob(q, job.id, { ...base, state: 'cancelled', finishedAt: new Date() });
    await finishAttempt(q, { jobId: job.id, attempt, outcome: 'cancelled', runId, error: outcome.error });
    await queue.completeDelivery(q, job, { cancelled: true });
    return { state: 'cancelled' };
  }
  const interrupted = reason === 'shutdown' || reason === 'crash' || status === 'interrupted';
  const error = interrupted
    ? interruptedError({ ...job, runId: runId ?? null }, reason ?? 'crash')
    : outcome.error;
  const retryable =
    job.idempotent &&
    job.attempts < job.maxAttempts &&
    (interrupted || (status === 'failed' && categoryOf(outcome.error) !== 'user'));
  if (retryable) {
    const retryAt = await queue.failDelivery(q, job, { code: error?.code, message: error?.message });
    if (retryAt) {
      await updateJob(q, job.id, { ...base, state: 'queued', runAfter: retryAt, lastError: error ?? null });
      await finishAttempt(q, {
        jobId: job.id,
        attempt,
        outcome: interrupted ? 'interrupted' : 'failed',
        runId,
        error,
        retryAt,
      });
      return { state: 'queued', retryAt };
    }
  }
  if (interrupted && !job.idempotent) {
    await updateJob(q, job.id, {
      ...base,
      state: 'interrupted',
      lastError: error ?? null,
      finishedAt: new Date(),
    });
    await finishAttempt(q, { jobId: job.id, attempt, outcome: 'interrupted', runId, error });
    await queue.completeDelivery(q, job, { interrupted: true });
    return { state: 'interrupted' };
  }
  const isError = interrupted || status === 'failed' || status === 'rejected' || status === 'cancelled';
  await updateJob(q, job.id, {
    ...base,
    state: 'failed',
    deadLetter: isError,
    lastError: error ?? null,
    finishedAt: new Date(),
  });
  await finishAttempt(q, { jobId: job.id, attempt, outcome: status, runId, error });
  await queue.completeDelivery(q, job, { failed: true });
  return { state: 'failed' };
}
