import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import pg from 'pg';
import PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import type { Config } from '../../core/config/config-schema.js';
import { newId } from '../../core/ids.js';
import type { Principal } from '../../core/principal.js';
import type { Db, Queryable } from '../../db/db.js';
import { PgDb } from '../../db/pg-db.js';
import type { SkillRegistry } from '../../tools/registry.js';
import { bossDb } from './boss-db.js';
import type { JobRecord } from './job-record.js';
import { insertJob } from './job-store.js';

/** Postgres notification channel of newly queued jobs. */
const NOTIFY_CHANNEL = 'skillgate_jobs';

/** The queue every job goes to, unless its skill has a `jobs.per_skill` limit (then its own queue). */
export const DEFAULT_QUEUE = 'skillgate.jobs';

export function queueForSkill(config: Config, skillId?: string | null): string {
  return skillId && config.jobs.per_skill[skillId] ? `${DEFAULT_QUEUE}.${skillId}` : DEFAULT_QUEUE;
}

/** What to run asynchronously: a `RunRequest` minus what does not survive a restart (signal, callbacks). */
export interface EnqueueRequest {
  principal: Principal;
  /** The run's channel (cli, webhook, schedule, mcp, chat, ...). */
  channel: string;
  /** Where the job came from; default the channel. */
  source?: string;
  /** The webhook or schedule id. */
  sourceRef?: string;
  skill?: string;
  query?: string;
  input?: Record<string, unknown>;
  mode?: 'execute' | 'dry_run';
  /** A second job with the same key (per tenant) is not created: the first one is returned. */
  dedupeKey?: string;
  /** Not before this time. */
  runAfter?: Date;
}

export interface EnqueueResult {
  jobId: string;
  /** True when `dedupeKey` matched an existing job (nothing new was queued). */
  duplicate: boolean;
  job: JobRecord;
}

export interface JobQueueOptions {
  db: Db;
  config: Config;
  registry: SkillRegistry;
  logger: Logger;
  /** Run pg-boss maintenance (expiry, archiving) in this process (default false; the server does). */
  supervise?: boolean;
}

/**
 * The durable queue: a `jobs` row (the user-facing record) plus a pg-boss job (delivery, locking,
 * retry backoff), written in one transaction. Emits `enqueued` (job id) after a commit so that a
 * worker in the same process starts at once instead of at its next poll.
 */
export class JobQueue extends EventEmitter {
  readonly boss: PgBoss;
  private started?: Promise<void>;
  private ready = false;
  private readonly queues = new Set<string>();

  constructor(private readonly options: JobQueueOptions) {
    super();
    this.boss = new PgBoss({
      db: bossDb(options.db),
      supervise: options.supervise ?? false,
      schedule: false,
      migrate: true,
      maintenanceIntervalSeconds: 30,
    });
    this.boss.on('error', (err) => options.logger.warn({ err }, 'pg-boss error'));
  }

  /**
   * Installs (or migrates) pg-boss's schema once and creates the queues: the default one, one per
   * `jobs.per_skill` entry, and any other queue still holding queued jobs. Idempotent.
   */
  start(): Promise<void> {
    this.started ??= (async () => {
      await this.boss.start();
      await this.ensureQueue(DEFAULT_QUEUE);
      for (const skill of Object.keys(this.options.config.jobs.per_skill)) {
        await this.ensureQueue(queueForSkill(this.options.config, skill));
      }
      const open = await this.options.db.query<{ queue: string }>(
        `SELECT DISTINCT queue FROM jobs WHERE state = 'queued'`,
      );
      for (const { queue } of open.rows) await this.ensureQueue(queue);
      this.ready = true;
    })();
    return this.started;
  }

  /** True once `start()` has completed: only then may jobs be queued inside a caller's transaction. */
  get isStarted(): boolean {
    return this.ready;
  }

  /**
   * On Postgres, wakes this process's worker when any replica queues a job (LISTEN on a dedicated
   * connection; `enqueue` notifies in its transaction, delivered at commit). PGlite is one process:
   * the local `enqueued` event is enough. Returns a function that stops listening.
   */
  async listen(): Promise<() => Promise<void>> {
    const { db, logger } = this.options;
    if (!(db instanceof PgDb)) return async () => {};
    // Its own connection, outside the pool: a small pool must not lose one for good.
    const client = new pg.Client(db.pool.options);
    await client.connect();
    const onNotice = (n: { channel: string; payload?: string }) => {
      if (n.channel === NOTIFY_CHANNEL) this.emit('enqueued', n.payload ?? '');
    };
    client.on('notification', onNotice);
    client.on('error', (err) => logger.warn({ err }, 'job notification connection failed'));
    await client.query(`LISTEN ${NOTIFY_CHANNEL}`);
    return async () => {
      client.off('notification', onNotice);
      await client.end().catch(() => {});
    };
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    await this.started.catch(() => {});
    await this.boss.stop({ graceful: false, close: false, wait: true, timeout: 1000 });
  }

  /** The queues workers fetch from: the default one and one per `jobs.per_skill` entry. */
  queueNames(): string[] {
    return [...this.queues];
  }

  async ensureQueue(name: string): Promise<void> {
    if (this.queues.has(name)) return;
    await this.boss.createQueue(name);
    this.queues.add(name);
  }

  /** pg-boss retry settings for a job with `remaining` attempts left. */
  private sendOptions(q: Queryable, skillId: string | undefined | null, remaining: number, id: string) {
    const timeoutMs = (skillId && this.options.registry.get(skillId)?.spec.timeout_ms) || 3_600_000;
    return {
      id,
      retryLimit: Math.max(0, remaining - 1),
      retryDelay: Math.max(1, Math.round(this.options.config.jobs.retry_delay / 1000)),
      retryBackoff: true,
      // A backstop only: workers' heartbeats recover crashed jobs long before this.
      expireInSeconds: Math.min(23 * 3600, Math.ceil(timeoutMs / 1000) + 600),
      db: bossDb(q),
    };
  }

  /**
   * Queues a run. Inside `q` (a transaction) when given, so that the caller's own writes and the
   * job commit together; otherwise in a transaction of its own.
   */
  async enqueue(req: EnqueueRequest, q?: Queryable): Promise<EnqueueResult> {
    if (!q) {
      await this.start();
      const result = await this.options.db.tx((tx) => this.enqueue(req, tx));
      if (!result.duplicate) this.emit('enqueued', result.jobId);
      return result;
    }
    const skill = req.skill ? this.options.registry.get(req.skill) : undefined;
    const idempotent = skill?.spec.idempotent ?? false;
    const maxAttempts = idempotent ? (skill?.spec.max_retries ?? 0) + 1 : 1;
    // Inside a transaction nothing may touch the outer Db (PGlite has one connection): the queues
    // must exist already, which `start()` guarantees.
    if (!this.ready) throw new Error('JobQueue.start() must complete before queueing inside a transaction');
    const queue = queueForSkill(this.options.config, req.skill);
    const id = newId('job');
    const bossId = randomUUID();
    const { job, duplicate } = await insertJob(q, {
      id,
      tenant: req.principal.tenant,
      source: req.source ?? req.channel,
      sourceRef: req.sourceRef,
      principal: req.principal,
      channel: req.channel,
      skillId: req.skill,
      query: req.query,
      input: req.input ?? {},
      mode: req.mode ?? 'execute',
      dedupeKey: req.dedupeKey,
      queue,
      bossId,
      idempotent,
      maxAttempts,
      runAfter: req.runAfter,
    });
    if (duplicate) return { jobId: job.id, duplicate, job };
    if (this.options.db.kind === 'postgres')
      await q.query('SELECT pg_notify($1, $2)', [NOTIFY_CHANNEL, queue]);
    await this.boss.send(
      queue,
      { jobId: id },
      {
        ...this.sendOptions(q, req.skill, maxAttempts, bossId),
        ...(req.runAfter ? { startAfter: req.runAfter } : {}),
      },
    );
    return { jobId: id, duplicate: false, job };
  }

  /**
   * Delivers an existing job again with a new pg-boss job (a retry by hand, or a release of a job
   * that never started its run). Sets the job `queued`; call inside a transaction.
   */
  async redeliver(
    q: Queryable,
    job: JobRecord,
    remaining: number,
    startAfter?: Date,
  ): Promise<{ bossId: string; queue: string }> {
    if (!this.ready) throw new Error('JobQueue.start() must complete before redelivering a job');
    const bossId = randomUUID();
    // A queue that no longer exists (config changed) is replaced by the job's current one.
    const queue = this.queues.has(job.queue) ? job.queue : queueForSkill(this.options.config, job.skillId);
    await this.boss.send(
      queue,
      { jobId: job.id },
      {
        ...this.sendOptions(q, job.skillId, remaining, bossId),
        ...(startAfter ? { startAfter } : {}),
      },
    );
    return { bossId, queue };
  }

  /**
   * Fails the current pg-boss delivery: pg-boss schedules the retry with exponential backoff and
   * jitter when its retry limit allows. Returns the retry time, or undefined when it gave up.
   */
  async failDelivery(q: Queryable, job: JobRecord, error: unknown): Promise<Date | undefined> {
    if (!job.bossId) return undefined;
    await this.boss.fail(job.queue, job.bossId, { error } as object, { db: bossDb(q) });
    const b = await this.boss.getJobById(job.queue, job.bossId, { db: bossDb(q), includeArchive: false });
    return b && b.state === 'retry' ? new Date(b.startAfter) : undefined;
  }

  /** Marks the current pg-boss delivery done (the job's outcome is in `jobs`). */
  async completeDelivery(
    q: Queryable,
    job: Pick<JobRecord, 'queue' | 'bossId'>,
    output?: object,
  ): Promise<void> {
    if (!job.bossId) return;
    await this.boss.complete(job.queue, job.bossId, output ?? {}, { db: bossDb(q) });
  }

  /** Cancels a delivery that has not started (pg-boss states created/retry). */
  async cancelDelivery(q: Queryable, job: Pick<JobRecord, 'queue' | 'bossId'>): Promise<void> {
    if (!job.bossId) return;
    await this.boss.cancel(job.queue, job.bossId, { db: bossDb(q) });
  }
}
