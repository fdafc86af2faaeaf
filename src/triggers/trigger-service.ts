import type { SkillgateApp } from '../core/app.js';
import { jobQueueOf } from './jobs/enqueue-run.js';
import type { JobQueue } from './jobs/job-queue.js';
import { JobRecovery } from './jobs/job-recovery.js';
import { JobWorker } from './jobs/job-worker.js';
import { ScheduleRunner } from './schedules/schedule-runner.js';

export interface TriggerServiceOptions {
  /** Run a job worker (default `jobs.worker`). */
  worker?: boolean;
  /** Fire due schedules (default `schedules.runner`). */
  schedules?: boolean;
  /** Overrides `jobs.concurrency` for this process. */
  concurrency?: number;
}

/**
 * The background half of triggers, run by `skillgate serve` on every replica: the job worker,
 * crash recovery and approval follow-up (every `jobs.heartbeat_interval`), and the schedule
 * runner (every `schedules.tick_interval`). Every part is safe to run on many replicas at once.
 */
export class TriggerService {
  readonly queue: JobQueue;
  readonly worker?: JobWorker;
  readonly recovery: JobRecovery;
  readonly scheduler?: ScheduleRunner;
  private timers: NodeJS.Timeout[] = [];
  private busy = new Set<Promise<unknown>>();
  private stopped = false;

  private constructor(
    private readonly app: SkillgateApp,
    options: TriggerServiceOptions,
  ) {
    const { config, db, logger, engine } = app;
    this.queue = jobQueueOf(app);
    this.recovery = new JobRecovery({ db, config, registry: app.registry, logger, queue: this.queue });
    if (options.worker ?? config.jobs.worker) {
      this.worker = new JobWorker({
        engine,
        db,
        config,
        logger,
        queue: this.queue,
        concurrency: options.concurrency,
      });
    }
    if (options.schedules ?? config.schedules.runner) {
      this.scheduler = new ScheduleRunner({ db, config, logger, queue: this.queue });
    }
  }

  /** Starts every enabled part; resolves once pg-boss is installed and the worker is registered. */
  static async start(app: SkillgateApp, options: TriggerServiceOptions = {}): Promise<TriggerService> {
    const service = new TriggerService(app, options);
    await service.queue.start();
    await service.worker?.start();
    service.every(app.config.jobs.heartbeat_interval, 'job recovery', async () => {
      await service.recovery.recoverStale();
      await service.recovery.settleDecided();
    });
    if (service.scheduler) {
      const scheduler = service.scheduler;
      service.every(app.config.schedules.tick_interval, 'schedule tick', () => scheduler.tick());
    }
    app.logger.info(
      { worker: service.worker?.id ?? null, schedules: Boolean(service.scheduler) },
      'triggers started',
    );
    return service;
  }

  /** Runs `fn` every `ms` (never overlapping itself), starting now. */
  private every(ms: number, what: string, fn: () => Promise<unknown>): void {
    let running = false;
    const run = () => {
      if (running || this.stopped) return;
      running = true;
      const p = fn()
        .catch((err) => this.app.logger.warn({ err }, `${what} failed`))
        .finally(() => {
          running = false;
          this.busy.delete(p);
        });
      this.busy.add(p);
    };
    run();
    const t = setInterval(run, ms);
    t.unref();
    this.timers.push(t);
  }

  /**
   * Graceful stop: no new schedules or jobs are taken, running jobs get `jobs.shutdown_timeout` to
   * finish, the rest are aborted and released (idempotent ones queued again, others `interrupted`).
   */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    await this.worker?.stop();
    await Promise.allSettled([...this.busy]);
    await this.queue.stop();
    this.app.logger.info('triggers stopped');
  }
}
