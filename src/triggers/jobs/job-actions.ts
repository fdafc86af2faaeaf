import { appendAudit } from '../../core/audit/audit-log.js';
import { SkillgateError } from '../../core/errors.js';
import type { Principal } from '../../core/principal.js';
import type { RunRecord } from '../../core/records/run-record.js';
import { getRun } from '../../core/records/run-store.js';
import type { Db, Queryable } from '../../db/db.js';
import type { SkillRegistry } from '../../tools/registry.js';
import type { JobQueue } from './job-queue.js';
import { FINAL_JOB_STATES, type JobAttempt, type JobRecord } from './job-record.js';
import { getJob, listAttempts, lockJob, updateJob } from './job-store.js';

export interface JobActionContext {
  db: Db;
  queue: JobQueue;
  registry: SkillRegistry;
}

async function lockOwnJob(q: Queryable, id: string, principal: Principal): Promise<JobRecord> {
  const job = await lockJob(q, id);
  if (!job || job.tenant !== principal.tenant) {
    throw new SkillgateError('job.not_found', `No job "${id}".`, { job: id });
  }
  return job;
}

function audit(
  q: Queryable,
  job: JobRecord,
  principal: Principal,
  action: string,
  data: Record<string, unknown>,
) {
  return appendAudit(q, [
    {
      tenant: job.tenant,
      actor: principal.id,
      action,
      target: job.skillId ?? undefined,
      runId: job.runId ?? undefined,
      data: { job: job.id, ...data },
      ts: new Date(),
    },
  ]);
}

/**
 * Cancels a job: a queued one at once; a running one is asked to stop (its worker aborts the run
 * within a heartbeat; the job then becomes `cancelled`); one waiting for approval has its approval
 * cancelled. Final jobs cannot be cancelled (`job.invalid_state`). Audited as `job.cancelled`.
 */
export async function cancelJob(ctx: JobActionContext, id: string, principal: Principal): Promise<JobRecord> {
  await ctx.queue.start();
  await ctx.db.tx(async (q) => {
    const job = await lockOwnJob(q, id, principal);
    if (FINAL_JOB_STATES.has(job.state)) {
      throw new SkillgateError('job.invalid_state', `Job ${id} is already ${job.state}.`, {
        job: id,
        state: job.state,
      });
    }
    if (job.state === 'running') {
      await updateJob(q, id, { cancelRequested: true });
    } else if (job.state === 'waiting_approval') {
      const a = await q.query(
        `UPDATE approvals SET status = 'cancelled', decided_at = now() WHERE id = $1 AND status = 'pending' RETURNING id`,
        [job.approvalId],
      );
      if (a.rows.length === 0) {
        throw new SkillgateError(
          'job.invalid_state',
          `Job ${id}'s approval ${job.approvalId} was already decided; its run cannot be cancelled any more.`,
          { job: id },
        );
      }
      await q.query(`UPDATE runs SET status = 'cancelled', finished_at = now() WHERE id = $1`, [job.runId]);
      await updateJob(q, id, { state: 'cancelled', finishedAt: new Date() });
    } else {
      await ctx.queue.cancelDelivery(q, job);
      await updateJob(q, id, { state: 'cancelled', finishedAt: new Date(), workerId: null });
    }
    await audit(q, job, principal, 'job.cancelled', { state: job.state, approval: job.approvalId });
  });
  return (await getJob(ctx.db, id))!;
}

/**
 * Runs a failed, interrupted or cancelled job again, as a new attempt (with a fresh retry budget
 * for idempotent skills). This is the human decision an `interrupted` job waits for. Audited.
 */
export async function retryJob(ctx: JobActionContext, id: string, principal: Principal): Promise<JobRecord> {
  await ctx.queue.start();
  await ctx.db.tx(async (q) => {
    const job = await lockOwnJob(q, id, principal);
    if (!['failed', 'interrupted', 'cancelled'].includes(job.state)) {
      throw new SkillgateError(
        'job.invalid_state',
        `Job ${id} is ${job.state}; only failed, interrupted or cancelled jobs can be retried.`,
        { job: id, state: job.state },
      );
    }
    const skill = job.skillId ? ctx.registry.get(job.skillId) : undefined;
    const remaining = job.idempotent ? (skill?.spec.max_retries ?? 0) + 1 : 1;
    const { bossId, queue } = await ctx.queue.redeliver(q, job, remaining);
    await updateJob(q, id, {
      state: 'queued',
      bossId,
      queue,
      maxAttempts: job.attempts + remaining,
      deadLetter: false,
      cancelRequested: false,
      workerId: null,
      runAfter: null,
      finishedAt: null,
    });
    await audit(q, job, principal, 'job.retried', { from_state: job.state });
  });
  ctx.queue.emit('enqueued', id);
  return (await getJob(ctx.db, id))!;
}

export interface JobDetails {
  job: JobRecord;
  attempts: JobAttempt[];
  run?: RunRecord;
}

/** A job with its attempts and its latest run (`job.not_found` across tenants). */
export async function showJob(db: Db, id: string, principal: Principal): Promise<JobDetails> {
  const job = await getJob(db, id, principal.tenant);
  if (!job) throw new SkillgateError('job.not_found', `No job "${id}".`, { job: id });
  const attempts = await listAttempts(db, id);
  const run = job.runId ? await getRun(db, job.runId, principal.tenant) : undefined;
  return { job, attempts, run };
}
