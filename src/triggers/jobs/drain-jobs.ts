import type { SkillgateApp } from '../../core/app.js';
import { jobQueueOf } from './enqueue-run.js';
import { FINAL_JOB_STATES, type JobState } from './job-record.js';
import { JobRecovery } from './job-recovery.js';
import { JobWorker } from './job-worker.js';

export interface DrainOptions {
  /** Wait for these jobs only (default: until no job is ready to run). */
  jobIds?: string[];
  /** Give up after this long (default 10 minutes). */
  timeoutMs?: number;
}

const SETTLED: ReadonlySet<JobState> = new Set([...FINAL_JOB_STATES, 'waiting_approval']);

/**
 * Runs a job worker in this process until the given jobs settled (final, or waiting for an
 * approval), or until no queued job is due any more: how CLI-only deployments (`schedule tick`,
 * `jobs work --until-idle`, `webhook handle --wait`) run their jobs without a server. Returns
 * whether everything settled in time.
 */
export async function drainJobs(app: SkillgateApp, options: DrainOptions = {}): Promise<boolean> {
  const queue = jobQueueOf(app);
  const worker = new JobWorker({
    engine: app.engine,
    db: app.db,
    config: app.config,
    logger: app.logger,
    queue,
    pollIntervalMs: 100,
  });
  const recovery = new JobRecovery({
    db: app.db,
    config: app.config,
    registry: app.registry,
    logger: app.logger,
    queue,
  });
  await worker.start();
  const deadline = Date.now() + (options.timeoutMs ?? 600_000);
  try {
    for (;;) {
      await recovery.recoverStale();
      await recovery.settleDecided();
      if (await settled(app, options.jobIds, worker)) return true;
      if (Date.now() > deadline) return false;
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await worker.stop();
  }
}

async function settled(app: SkillgateApp, ids: string[] | undefined, worker: JobWorker): Promise<boolean> {
  if (ids) {
    if (ids.length === 0) return true;
    const r = await app.db.query<{ state: JobState }>('SELECT state FROM jobs WHERE id = ANY($1::text[])', [
      ids,
    ]);
    return r.rows.length === ids.length && r.rows.every((x) => SETTLED.has(x.state));
  }
  if (worker.running > 0) return false;
  const r = await app.db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM jobs WHERE state = 'queued' AND (run_after IS NULL OR run_after <= now())`,
  );
  return r.rows[0].n === 0;
}
