import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAudit } from '../../src/core/audit/audit-log.js';
import { listRuns } from '../../src/core/records/run-store.js';
import {
  createSchedule,
  getSchedule,
  ScheduleSpecSchema,
  setScheduleEnabled,
} from '../../src/tools/builtins/schedules/schedule-store.js';
import { jobQueueOf } from '../../src/triggers/jobs/enqueue-run.js';
import { getJob, listJobs } from '../../src/triggers/jobs/job-store.js';
import { ScheduleRunner } from '../../src/triggers/schedules/schedule-runner.js';
import { TriggerService } from '../../src/triggers/trigger-service.js';
import { createTriggerApp, waitFor } from './trigger-fixtures.js';

type App = Awaited<ReturnType<typeof createTriggerApp>>['app'];
const T0 = new Date('2031-03-03T10:00:00.000Z');
const at = (s: number) => new Date(T0.getTime() + s * 1000);

describe('schedules', () => {
  let app: App;
  let runner: ScheduleRunner;

  beforeAll(async () => {
    ({ app } = await createTriggerApp({ schedules: { misfire_grace: 30_000 } }));
    const queue = jobQueueOf(app);
    runner = new ScheduleRunner({ db: app.db, config: app.config, logger: app.logger, queue });
  });
  afterAll(() => app.close());

  const create = (spec: Record<string, unknown>, owner = 'alice', now = T0) =>
    app.db.tx((q) => createSchedule(q, ScheduleSpecSchema.parse(spec), app.as(owner), now));

  it('schedules.create stores a schedule owned by the caller; its preview lists the next runs', async () => {
    const preview = await app.engine.run({
      principal: app.as('alice'),
      channel: 'cli',
      skill: 'schedules.create',
      mode: 'dry_run',
      input: { skill: 'jobs.echo', cron: '0 9 * * 1-5', timezone: 'America/New_York', input: { n: 1 } },
    });
    expect(preview.status).toBe('dry_run');
    const runs = (preview.output ?? preview.preview) as { next_runs: string[] };
    expect(runs.next_runs).toHaveLength(5);
    // 09:00 in New York is 13:00 or 14:00 UTC depending on daylight saving time.
    for (const r of runs.next_runs) expect(['13:00', '14:00']).toContain(r.slice(11, 16));
    const made = await app.engine.run({
      principal: app.as('alice'),
      channel: 'cli',
      skill: 'schedules.create',
      input: { skill: 'jobs.echo', run_at: '2031-05-01T09:00', timezone: 'Europe/Berlin', input: { n: 2 } },
    });
    expect(made.status).toBe('succeeded');
    const s = (
      made.output as { schedule: { id: string; next_run_at: string; owner: string; missed: string } }
    ).schedule;
    expect(s).toMatchObject({
      owner: 'alice',
      next_run_at: '2031-05-01T07:00:00.000Z',
      missed: 'catch_up_once',
    });
    const bad = await app.engine.run({
      principal: app.as('alice'),
      channel: 'cli',
      skill: 'schedules.create',
      input: { skill: 'jobs.echo', cron: 'every day' },
    });
    expect(bad).toMatchObject({ status: 'failed', error: { code: 'schedule.invalid' } });
  });

  it('fires each due time exactly once, even with two runners ticking at the same moment', async () => {
    const s = await create({ skill: 'jobs.echo', cron: '*/5 * * * * *', input: { n: 5 } });
    const [a, b] = await Promise.all([runner.tick(at(12)), runner.tick(at(12))]);
    expect(a.fired + b.fired).toBe(2);
    expect((await runner.tick(at(12))).fired).toBe(0);
    const jobs = await listJobs(app.db, { tenant: 'default', source: 'schedule', sourceRef: s.id });
    expect(jobs.map((j) => j.dedupeKey).sort()).toEqual([
      `schedule:${s.id}:${at(5).toISOString()}`,
      `schedule:${s.id}:${at(10).toISOString()}`,
    ]);
    expect(jobs.every((j) => j.channel === 'schedule' && j.principal.id === 'alice')).toBe(true);
    expect((await getSchedule(app.db, s.id, 'default')).nextRunAt).toEqual(at(15));
  });

  it('skips runs missed during downtime, or catches up once, per schedule', async () => {
    const skip = await create({ skill: 'jobs.echo', cron: '* * * * *', missed: 'skip' });
    const once = await create({ skill: 'jobs.echo', cron: '* * * * *', missed: 'catch_up_once' });
    const r = await runner.tick(at(3600 + 45));
    const bySchedule = async (id: string) =>
      (await listJobs(app.db, { tenant: 'default', source: 'schedule', sourceRef: id })).length;
    expect(await bySchedule(skip.id)).toBe(0);
    expect(await bySchedule(once.id)).toBe(1);
    expect(r.skipped).toBeGreaterThanOrEqual(2 * 59);
    expect((await getSchedule(app.db, skip.id, 'default')).nextRunAt).toEqual(at(3660));
    const audit = await app.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_log WHERE action = 'schedule.missed'`,
    );
    expect(audit.rows[0].n).toBeGreaterThanOrEqual(2);
  });

  it('never fires a disabled schedule; a one-off fires once and disables itself', async () => {
    const off = await create({ skill: 'jobs.echo', cron: '* * * * * *' });
    await app.db.tx((q) => setScheduleEnabled(q, off.id, 'default', false));
    const one = await create({ skill: 'jobs.echo', run_at: at(30).toISOString() });
    await runner.tick(at(7200));
    expect(await listJobs(app.db, { tenant: 'default', sourceRef: off.id })).toHaveLength(0);
    expect(await listJobs(app.db, { tenant: 'default', sourceRef: one.id })).toHaveLength(1);
    const after = await getSchedule(app.db, one.id, 'default');
    expect(after).toMatchObject({ enabled: false, nextRunAt: null, fired: 1 });
    await runner.tick(at(9000));
    expect(await listJobs(app.db, { tenant: 'default', sourceRef: one.id })).toHaveLength(1);
  });

  it('the server fires due schedules itself and runs them as the owner, through policy', async () => {
    const now = new Date();
    const allowed = await create({ skill: 'jobs.echo', cron: '* * * * * *', input: { n: 9 } }, 'vic', now);
    const refused = await create(
      { skill: 'jobs.flaky', cron: '* * * * * *', input: { key: 'x' } },
      'vic',
      now,
    );
    const service = await TriggerService.start(app);
    try {
      await waitFor(
        async () => {
          const ok = await listJobs(app.db, { tenant: 'default', sourceRef: allowed.id, state: 'succeeded' });
          const no = await listJobs(app.db, { tenant: 'default', sourceRef: refused.id, state: 'failed' });
          return ok.length >= 2 && no.length >= 1;
        },
        10_000,
        'scheduled runs',
      );
    } finally {
      await app.db.tx((q) => setScheduleEnabled(q, allowed.id, 'default', false));
      await app.db.tx((q) => setScheduleEnabled(q, refused.id, 'default', false));
      await service.stop();
    }
    const failed = await listJobs(app.db, { tenant: 'default', sourceRef: refused.id, state: 'failed' });
    expect((await getJob(app.db, failed[0].id))?.lastError?.code).toBe('policy.denied');
    const runs = await listRuns(app.db, { tenant: 'default', principal: 'vic', limit: 100 });
    expect(runs.every((r) => r.channel === 'schedule')).toBe(true);
    expect((await verifyAudit(app.db)).ok).toBe(true);
  });
});
