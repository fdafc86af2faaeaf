import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { verifyAudit } from '../../src/core/audit/audit-log.js';
import { getRun } from '../../src/core/records/run-store.js';
import type { Db } from '../../src/db/db.js';
import { enqueueRun, jobQueueOf } from '../../src/triggers/jobs/enqueue-run.js';
import { cancelJob, retryJob, showJob } from '../../src/triggers/jobs/job-actions.js';
import type { JobState } from '../../src/triggers/jobs/job-record.js';
import { getJob, listAttempts } from '../../src/triggers/jobs/job-store.js';
import { TriggerService } from '../../src/triggers/trigger-service.js';
import { storageBackends } from '../helpers/test-db.js';
import { createTriggerApp, type TriggerFixtures, waitFor } from './trigger-fixtures.js';

type App = Awaited<ReturnType<typeof createTriggerApp>>['app'];

async function stateOf(app: App, id: string): Promise<JobState | undefined> {
  return (await getJob(app.db, id))?.state;
}

async function until(app: App, id: string, states: JobState[], timeoutMs = 15_000) {
  await waitFor(async () => states.includes((await stateOf(app, id))!), timeoutMs, `job ${id} in ${states}`);
  return (await getJob(app.db, id))!;
}

const { backends, skipped } = storageBackends();
if (skipped.length) console.info(`durable jobs: skipped ${skipped.join('; ')}`);

describe.each(backends)('durable jobs on $name', (backend) => {
  let app: App;
  let fx: TriggerFixtures;
  let service: TriggerService;
  let closeDb: () => Promise<void>;

  beforeAll(async () => {
    const { db, close } = await backend.open();
    closeDb = close;
    // The backend closes the database itself (and drops it on Postgres).
    const shared = Object.create(db, { close: { value: async () => {} } }) as Db;
    ({ app, fx } = await createTriggerApp(
      { jobs: { concurrency: 3, per_skill: { 'jobs.block': 2 } } },
      shared,
    ));
    service = await TriggerService.start(app, { schedules: false });
  });
  afterEach(() => fx.releaseAll());
  afterAll(async () => {
    await service.stop();
    await app.close();
    await closeDb();
  });

  it('runs a queued request through the engine as its principal and records the attempt', async () => {
    const { jobId, duplicate } = await enqueueRun(app, {
      principal: app.as('alice'),
      channel: 'cli',
      skill: 'jobs.echo',
      input: { n: 7 },
    });
    expect(duplicate).toBe(false);
    const job = await until(app, jobId, ['succeeded']);
    expect(job.output).toEqual({ n: 7, principal: 'alice' });
    const run = await getRun(app.db, job.runId!);
    expect(run).toMatchObject({
      status: 'succeeded',
      channel: 'cli',
      principal: 'alice',
      skillId: 'jobs.echo',
    });
    const attempts = await listAttempts(app.db, jobId);
    expect(attempts).toMatchObject([{ attempt: 1, outcome: 'succeeded', runId: job.runId }]);
  });

  it('returns the first job for a repeated idempotency key instead of queueing again', async () => {
    const req = {
      principal: app.as('alice'),
      channel: 'cli',
      skill: 'jobs.echo',
      input: { n: 1 },
      idempotencyKey: 'k-1',
    };
    const a = await enqueueRun(app, req);
    const b = await enqueueRun(app, req);
    expect(b).toMatchObject({ jobId: a.jobId, duplicate: true });
    await until(app, a.jobId, ['succeeded']);
    const c = await enqueueRun(app, { ...req, principal: app.as('local') });
    expect(c.jobId).not.toBe(a.jobId);
  });

  it('retries an idempotent skill with backoff through the queue, logging every attempt', async () => {
    const { jobId } = await enqueueRun(app, {
      principal: app.as('alice'),
      channel: 'cli',
      skill: 'jobs.flaky',
      input: { key: 'retry-1' },
    });
    const job = await until(app, jobId, ['succeeded', 'failed'], 25_000);
    expect(job.state).toBe('succeeded');
    expect(job.attempts).toBe(3);
    const attempts = await listAttempts(app.db, jobId);
    expect(attempts.map((a) => a.outcome)).toEqual(['failed', 'failed', 'succeeded']);
    expect(attempts[0].error?.code).toBe('handler.http_failed');
    // Exponential backoff with jitter: the second wait is at least as long as the first's base.
    const gap1 = attempts[1].startedAt.getTime() - attempts[0].finishedAt!.getTime();
    const gap2 = attempts[2].startedAt.getTime() - attempts[1].finishedAt!.getTime();
    expect(gap1).toBeGreaterThanOrEqual(900);
    expect(gap2).toBeGreaterThanOrEqual(1900);
    // Each attempt is its own run (no hidden in-process retries).
    expect(new Set(attempts.map((a) => a.runId)).size).toBe(3);
    expect(fx.calls.flaky).toBe(3);
  }, 30_000);

  it('dead-letters an idempotent job with its last error once max_retries is used up', async () => {
    const before = fx.calls.broken ?? 0;
    const { jobId } = await enqueueRun(app, {
      principal: app.as('alice'),
      channel: 'cli',
      skill: 'jobs.broken',
    });
    const job = await until(app, jobId, ['failed'], 20_000);
    expect(job).toMatchObject({ deadLetter: true, attempts: 2, lastError: { code: 'handler.http_failed' } });
    expect((fx.calls.broken ?? 0) - before).toBe(2);
  }, 25_000);

  it('never retries a skill that is not idempotent', async () => {
    const before = fx.calls.broken ?? 0;
    const { jobId } = await enqueueRun(app, {
      principal: app.as('alice'),
      channel: 'cli',
      skill: 'jobs.once',
    });
    const job = await until(app, jobId, ['failed']);
    expect(job).toMatchObject({ deadLetter: true, attempts: 1, maxAttempts: 1 });
    expect((fx.calls.broken ?? 0) - before).toBe(1);
  });

  it('keeps a per-skill limit and the overall concurrency', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push(
        (
          await enqueueRun(app, {
            principal: app.as('alice'),
            channel: 'cli',
            skill: 'jobs.block',
            input: { key: `lim-${i}` },
          })
        ).jobId,
      );
    }
    await waitFor(async () => fx.active === 2, 5000, 'two blocked runs');
    await new Promise((r) => setTimeout(r, 400));
    expect(fx.active).toBe(2);
    // The other skills still run beside the limited one (overall limit 3).
    const echo = await enqueueRun(app, { principal: app.as('alice'), channel: 'cli', skill: 'jobs.echo' });
    await until(app, echo.jobId, ['succeeded']);
    await waitFor(
      async () => {
        fx.releaseAll();
        const states = await Promise.all(ids.map((id) => stateOf(app, id)));
        return states.every((s) => s === 'succeeded');
      },
      10_000,
      'every blocked job released',
    );
    expect(fx.maxActive).toBe(2);
  });

  it('cancels a queued job and a running one, and retries a cancelled job by hand', async () => {
    const running = await enqueueRun(app, {
      principal: app.as('alice'),
      channel: 'cli',
      skill: 'jobs.block',
      input: { key: 'cancel-me' },
    });
    await until(app, running.jobId, ['running']);
    const queued = await enqueueRun(app, {
      principal: app.as('alice'),
      channel: 'cli',
      skill: 'jobs.echo',
      input: { n: 3 },
      runAfter: new Date(Date.now() + 60_000),
    });
    expect(
      (
        await cancelJob(
          { db: app.db, queue: jobQueueOf(app), registry: app.registry },
          queued.jobId,
          app.as('alice'),
        )
      ).state,
    ).toBe('cancelled');
    const asked = await cancelJob(
      { db: app.db, queue: jobQueueOf(app), registry: app.registry },
      running.jobId,
      app.as('alice'),
    );
    expect(asked).toMatchObject({ state: 'running', cancelRequested: true });
    const cancelled = await until(app, running.jobId, ['cancelled']);
    expect(cancelled.finishedAt).toBeTruthy();
    const again = await retryJob(
      { db: app.db, queue: jobQueueOf(app), registry: app.registry },
      queued.jobId,
      app.as('alice'),
    );
    expect(again.state).toBe('queued');
    await until(app, queued.jobId, ['succeeded']);
    const details = await showJob(app.db, queued.jobId, app.as('alice'));
    expect(details.run?.status).toBe('succeeded');
    await expect(
      cancelJob(
        { db: app.db, queue: jobQueueOf(app), registry: app.registry },
        queued.jobId,
        app.as('alice'),
      ),
    ).rejects.toMatchObject({ code: 'job.invalid_state' });
    await expect(showJob(app.db, queued.jobId, app.as('eve'))).rejects.toMatchObject({
      code: 'job.not_found',
    });
  });

  it('waits for approval, then follows the decision made anywhere to a final state', async () => {
    const { jobId } = await enqueueRun(app, {
      principal: app.as('local'),
      channel: 'cli',
      skill: 'jobs.purge',
      input: { prefix: 'tmp' },
    });
    const waiting = await until(app, jobId, ['waiting_approval', 'failed', 'succeeded']);
    expect(waiting).toMatchObject({ state: 'waiting_approval', lastError: null });
    expect(waiting.approvalId).toMatch(/^apr_/);
    const decided = await app.engine.decide({
      approvalId: waiting.approvalId!,
      principal: app.as('bob'),
      decision: 'approve',
      channel: 'cli',
    });
    expect(decided.run?.status).toBe('succeeded');
    const done = await until(app, jobId, ['succeeded']);
    expect(done.runId).toBe(waiting.runId);
    expect((await verifyAudit(app.db)).ok).toBe(true);
  });
});
