import type { Logger } from 'pino';
import { appendAudit } from '../../core/audit/audit-log.js';
import type { Config } from '../../core/config/config-schema.js';
import { settleBudget } from '../../core/gates/budget.js';
import type { RunErrorInfo } from '../../core/run-request.js';
import type { Db, Queryable } from '../../db/db.js';
import type { SkillRegistry } from '../../tools/registry.js';
import type { JobQueue } from './job-queue.js';
import { attemptRequestId, type JobRecord } from './job-record.js';
import { finishAttempt, lockJob, updateJob } from './job-store.js';
import { interruptedError, settleJob } from './settle-job.js';

export interface JobRecoveryOptions {
  db: Db;
  config: Config;
  registry: SkillRegistry;
  logger: Logger;
  queue: JobQueue;
}

interface RunRow {
  id: string;
  status: string;
  output: unknown;
  error: RunErrorInfo | null;
  approval_id: string | null;
}

/**
 * Finishes what crashed processes left behind, from any replica (rows are taken with
 * `FOR UPDATE SKIP LOCKED`, so each job is recovered once):
 * - `recoverStale`: jobs `running` on a worker whose heartbeat is older than `jobs.stale_after` (or
 *   that stopped). The attempt's run, found by its request id, decides: no run yet -> queued again
 *   (nothing happened); a finished run -> the job takes its outcome; a run still `running` -> the
 *   run and its step runs become `interrupted` (audited, budget released), then the job is retried
 *   if its skill is idempotent and attempts are left, else it is `interrupted` for a human.
 * - `settleDecided`: jobs `waiting_approval` whose run was decided (and executed) anywhere.
 */
export class JobRecovery {
  constructor(private readonly options: JobRecoveryOptions) {}

  async recoverStale(): Promise<number> {
    const { db, config } = this.options;
    const r = await db.query<{ id: string }>(
      `SELECT j.id FROM jobs j LEFT JOIN job_workers w ON w.id = j.worker_id
       WHERE j.state = 'running'
         AND (w.id IS NULL OR w.stopped_at IS NOT NULL OR w.last_seen_at < now() - make_interval(secs => $1))
       ORDER BY j.updated_at LIMIT 100`,
      [config.jobs.stale_after / 1000],
    );
    let n = 0;
    for (const { id } of r.rows) {
      try {
        if (await db.tx((q) => this.recoverOne(q, id))) n += 1;
      } catch (err) {
        this.options.logger.warn({ err, job: id }, 'recovering a job failed');
      }
    }
    return n;
  }

  private async recoverOne(q: Queryable, id: string): Promise<boolean> {
    const { queue, config, logger } = this.options;
    const job = await lockJob(q, id, true);
    if (job?.state !== 'running') return false;
    const alive = await q.query(
      `SELECT 1 FROM job_workers WHERE id = $1 AND stopped_at IS NULL
         AND last_seen_at >= now() - make_interval(secs => $2)`,
      [job.workerId, config.jobs.stale_after / 1000],
    );
    if (alive.rows.length > 0) return false;
    const run = (
      await q.query<RunRow>(
        `SELECT id, status, output, error, approval_id FROM runs
         WHERE request_id = $1 AND parent_run_id IS NULL ORDER BY created_at DESC LIMIT 1`,
        [attemptRequestId(job.id, job.attempts)],
      )
    ).rows[0];
    if (!run) {
      await this.release(q, job);
      logger.info({ job: job.id }, 'released a job whose worker died before its run started');
      return true;
    }
    if (run.status === 'running') {
      await this.interruptRun(q, job, run.id);
      const s = await settleJob(
        q,
        queue,
        { ...job, runId: run.id },
        { runId: run.id, status: 'interrupted' },
        'crash',
      );
      logger.warn({ job: job.id, run: run.id, state: s.state }, 'recovered a job interrupted mid-run');
      return true;
    }
    await settleJob(q, queue, job, {
      runId: run.id,
      status: run.status,
      output: run.output,
      error: run.error ?? undefined,
      approvalId: run.approval_id ?? undefined,
    });
    return true;
  }

  /** Queues a job again whose attempt never started a run; the attempt does not count. */
  private async release(q: Queryable, job: JobRecord): Promise<void> {
    const attempts = job.attempts - 1;
    await finishAttempt(q, { jobId: job.id, attempt: job.attempts, outcome: 'released' });
    await this.options.queue.completeDelivery(q, job, { released: true });
    const { bossId, queue } = await this.options.queue.redeliver(q, job, job.maxAttempts - attempts);
    await updateJob(q, job.id, { state: 'queued', attempts, bossId, queue, workerId: null });
  }

  /** Marks a run and its still-running step runs `interrupted`, audits it and releases their budget. */
  private async interruptRun(q: Queryable, job: JobRecord, runId: string): Promise<void> {
    const error = interruptedError({ ...job, runId }, 'crash');
    const r = await q.query<{
      id: string;
      tenant: string;
      principal: string;
      skill_id: string | null;
      channel: string;
    }>(
      `WITH RECURSIVE tree AS (
         SELECT id FROM runs WHERE id = $1
         UNION ALL SELECT r.id FROM runs r JOIN tree t ON r.parent_run_id = t.id)
       UPDATE runs SET status = 'interrupted', error = $2, finished_at = now()
       WHERE id IN (SELECT id FROM tree) AND status = 'running'
       RETURNING id, tenant, principal, skill_id, channel`,
      [runId, JSON.stringify(error)],
    );
    const now = new Date();
    for (const run of r.rows) {
      const estimate = (run.skill_id && this.options.registry.get(run.skill_id)?.spec.cost.estimate_usd) || 0;
      if (estimate > 0) {
        await settleBudget(q, {
          tenant: run.tenant,
          principal: run.principal,
          usd: estimate,
          actualUsd: 0,
          runId: run.id,
          skillId: run.skill_id ?? '',
          now,
          kind: 'release',
        });
      }
    }
    await q.query(
      `UPDATE approvals SET status = 'failed', executed_at = now() WHERE status = 'executing' AND run_id = ANY($1::text[])`,
      [r.rows.map((x) => x.id)],
    );
    await appendAudit(
      q,
      r.rows.map((run) => ({
        tenant: run.tenant,
        actor: 'system',
        action: 'run.interrupted',
        target: run.skill_id ?? undefined,
        runId: run.id,
        data: { job: job.id, channel: run.channel, worker: job.workerId, error: 'job.interrupted' },
        ts: now,
      })),
    );
  }

  async settleDecided(): Promise<number> {
    const { db, queue } = this.options;
    const r = await db.query<{ id: string }>(
      `SELECT j.id FROM jobs j JOIN runs r ON r.id = j.run_id
       WHERE j.state = 'waiting_approval' AND r.status NOT IN ('waiting_approval', 'running') LIMIT 100`,
    );
    let n = 0;
    for (const { id } of r.rows) {
      const done = await db.tx(async (q) => {
        const job = await lockJob(q, id, true);
        if (job?.state !== 'waiting_approval' || !job.runId) return false;
        const run = (
          await q.query<RunRow>('SELECT id, status, output, error, approval_id FROM runs WHERE id = $1', [
            job.runId,
          ])
        ).rows[0];
        if (!run || run.status === 'waiting_approval' || run.status === 'running') return false;
        // A decided run is not retried: a new attempt would need a new approval.
        await settleJob(
          q,
          queue,
          { ...job, idempotent: false },
          {
            runId: run.id,
            status: run.status,
            output: run.output,
            error: run.error ?? undefined,
          },
        );
        return true;
      });
      if (done) n += 1;
    }
    return n;
  }
}
