import { EventEmitter } from 'node:events';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Config } from '../../core/config/config-schema.js';
import type { Engine } from '../../core/engine.js';
import { SkillgateError, toSkillgateError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { RunResult } from '../../core/run-request.js';
import type { Db, Queryable } from '../../db/db.js';
import { bossDb } from './boss-db.js';
import { DEFAULT_QUEUE, type JobQueue } from './job-queue.js';
import { attemptRequestId, type JobRecord } from './job-record.js';
import { claimJobs, completeRunningJob, lockJob } from './job-store.js';
import { type SettleResult, type StopReason, settleJob } from './settle-job.js';

export interface JobWorkerOptions {
  engine: Engine;
  db: Db;
  config: Config;
  logger: Logger;
  queue: JobQueue;
  /** Jobs run at once by this worker (default `jobs.concurrency`). */
  concurrency?: number;
  /** Idle poll interval in ms (default `jobs.poll_interval`). */
  pollIntervalMs?: number;
}

interface Inflight {
  controller: AbortController;
  reason?: StopReason;
  done: Promise<void>;
}

/**
 * Runs queued jobs through `engine.run` (the one execution path), at most `concurrency` at once in
 * this process and at most `jobs.per_skill[skill]` at once across every replica (counted under a
 * per-skill advisory lock while fetching). A job starts only when its `jobs` row moves from
 * `queued` to `running` in the transaction that fetched its pg-boss delivery, so a delivery can
 * never start a job twice. Heartbeats (`job_workers`) let other replicas recover this worker's
 * jobs if the process dies; they also deliver cancel requests to running jobs.
 *
 * Events: `settled` (job id, SettleResult) after each attempt.
 */
export class JobWorker extends EventEmitter {
  readonly id = newId('wkr');
  private readonly inflight = new Map<string, Inflight>();
  private readonly concurrency: number;
  private readonly pollMs: number;
  private stopping = false;
  private wake?: () => void;
  private loopDone?: Promise<void>;
  private heartbeat?: NodeJS.Timeout;
  private readonly onEnqueued = () => this.notify();
  private unlisten?: () => Promise<void>;

  constructor(private readonly options: JobWorkerOptions) {
    super();
    this.concurrency = options.concurrency ?? options.config.jobs.concurrency;
    this.pollMs = Math.max(50, options.pollIntervalMs ?? options.config.jobs.poll_interval);
  }

  /** Jobs running in this worker now. */
  get running(): number {
    return this.inflight.size;
  }

  async start(): Promise<void> {
    await this.options.queue.start();
    await this.options.db.query('INSERT INTO job_workers (id, host, pid) VALUES ($1, $2, $3)', [
      this.id,
      hostname(),
      process.pid,
    ]);
    this.options.queue.on('enqueued', this.onEnqueued);
    this.unlisten = await this.options.queue.listen().catch((err) => {
      this.options.logger.warn({ err }, 'cannot listen for new jobs; polling only');
      return undefined;
    });
    this.heartbeat = setInterval(() => {
      this.beat().catch((err) => this.options.logger.warn({ err }, 'job worker heartbeat failed'));
    }, this.options.config.jobs.heartbeat_interval);
    this.heartbeat.unref();
    this.loopDone = this.loop();
  }

  /** Wakes the fetch loop (a job was queued, or one finished). */
  notify(): void {
    this.wake?.();
  }

  /**
   * Stops taking work, lets running jobs finish for up to `timeoutMs`, then aborts the rest
   * (idempotent ones are queued again, others become `interrupted`) and marks the worker stopped.
   */
  async stop(timeoutMs = this.options.config.jobs.shutdown_timeout): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.options.queue.off('enqueued', this.onEnqueued);
    await this.unlisten?.();
    this.notify();
    await this.loopDone;
    const all = () => Promise.allSettled([...this.inflight.values()].map((i) => i.done));
    await Promise.race([all(), sleep(timeoutMs)]);
    for (const entry of this.inflight.values()) {
      entry.reason = 'shutdown';
      entry.controller.abort(new SkillgateError('skill.aborted', 'The server is shutting down.'));
    }
    await Promise.race([all(), sleep(5000)]);
    clearInterval(this.heartbeat);
    await this.options.db
      .query('UPDATE job_workers SET stopped_at = now() WHERE id = $1', [this.id])
      .catch(() => {});
  }

  private async beat(): Promise<void> {
    const { db } = this.options;
    await db.query('UPDATE job_workers SET last_seen_at = now() WHERE id = $1', [this.id]);
    if (this.inflight.size === 0) return;
    const r = await db.query<{ id: string }>(
      `SELECT id FROM jobs WHERE worker_id = $1 AND state = 'running' AND cancel_requested`,
      [this.id],
    );
    for (const { id } of r.rows) {
      const entry = this.inflight.get(id);
      if (!entry || entry.reason) continue;
      entry.reason = 'cancel';
      entry.controller.abort(new SkillgateError('skill.aborted', `Job ${id} was cancelled.`));
    }
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      let started = 0;
      try {
        if (this.inflight.size < this.concurrency) started = await this.fetchAndStart();
      } catch (err) {
        this.options.logger.warn({ err }, 'fetching jobs failed');
      }
      if (this.stopping) break;
      if (started === 0 || this.inflight.size >= this.concurrency) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.pollMs);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wake = undefined;
      }
    }
  }

  private async fetchAndStart(): Promise<number> {
    let total = 0;
    for (const queue of this.options.queue.queueNames()) {
      const free = this.concurrency - this.inflight.size;
      if (free <= 0 || this.stopping) break;
      const claimed = await this.options.db.tx((q) => this.claim(q, queue, free));
      for (const job of claimed) this.dispatch(job);
      total += claimed.length;
    }
    return total;
  }

  /** Fetches up to `free` deliveries of `queue` and claims their jobs, in the caller's transaction. */
  private async claim(q: Queryable, queue: string, free: number): Promise<JobRecord[]> {
    const { config, queue: jobQueue } = this.options;
    let n = free;
    const skill = queue === DEFAULT_QUEUE ? undefined : queue.slice(DEFAULT_QUEUE.length + 1);
    if (skill) {
      const limit = config.jobs.per_skill[skill] ?? free;
      await q.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`skillgate.jobs.skill:${skill}`]);
      const r = await q.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM jobs WHERE skill_id = $1 AND state = 'running'`,
        [skill],
      );
      n = Math.min(n, limit - r.rows[0].n);
      if (n <= 0) return [];
    }
    const deliveries = await jobQueue.boss.fetch<{ jobId: string }>(queue, { batchSize: n, db: bossDb(q) });
    const claimed = await claimJobs(
      q,
      deliveries.map((d) => ({ jobId: d.data.jobId, bossId: d.id })),
      this.id,
    );
    const taken = new Set(claimed.map((j) => j.bossId));
    const stale = deliveries.filter((d) => !taken.has(d.id)).map((d) => d.id);
    // Cancelled, or stale deliveries of jobs that moved on: nothing to run.
    if (stale.length)
      await jobQueue.boss.complete(queue, stale as never, { skipped: true }, { db: bossDb(q) });
    return claimed;
  }

  private dispatch(job: JobRecord): void {
    const entry: Inflight = { controller: new AbortController(), done: Promise.resolve() };
    entry.done = this.execute(job, entry)
      .catch((err) => this.options.logger.error({ err, job: job.id }, 'job execution failed'))
      .finally(() => {
        this.inflight.delete(job.id);
        this.notify();
      });
    this.inflight.set(job.id, entry);
  }

  private async execute(job: JobRecord, entry: Inflight): Promise<void> {
    const { engine, db, queue, logger } = this.options;
    let result: Pick<RunResult, 'runId' | 'status' | 'output' | 'error' | 'approval'>;
    try {
      result = await engine.run({
        principal: job.principal,
        channel: job.channel,
        skill: job.skillId ?? undefined,
        query: job.query ?? undefined,
        input: job.input,
        mode: job.mode,
        requestId: attemptRequestId(job.id, job.attempts),
        signal: entry.controller.signal,
        // Retries of a job go through the queue (backoff, every attempt recorded), not in-process.
        retries: 0,
      });
    } catch (err) {
      result = { runId: '', status: 'failed', error: toSkillgateError(err).toJSON() };
    }
    const settled = await db.tx(async (q): Promise<SettleResult | undefined> => {
      if (result.status === 'succeeded' && !entry.reason && result.runId) {
        const done = await completeRunningJob(q, {
          jobId: job.id,
          workerId: this.id,
          runId: result.runId,
          output: result.output,
        });
        if (done) {
          await queue.completeDelivery(q, job);
          return { state: 'succeeded' };
        }
      }
      const locked = await lockJob(q, job.id);
      if (locked?.state !== 'running' || locked.workerId !== this.id) return undefined;
      return settleJob(
        q,
        queue,
        locked,
        {
          runId: result.runId || undefined,
          status: result.status,
          output: result.output,
          error: result.error,
          approvalId: result.approval?.id,
        },
        entry.reason,
      );
    });
    if (!settled) {
      logger.warn({ job: job.id, run: result.runId }, 'job was recovered by another worker while it ran');
      return;
    }
    logger.debug({ job: job.id, run: result.runId, state: settled.state }, 'job attempt settled');
    this.emit('settled', job.id, settled);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
