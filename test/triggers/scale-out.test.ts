import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { verifyAudit } from '../../src/core/audit/audit-log.js';
import { loadConfig } from '../../src/core/config/load-config.js';
import { PgDb } from '../../src/db/pg-db.js';
import { TokenStore } from '../../src/mcp/tokens/token-store.js';
import { createSchedule, ScheduleSpecSchema } from '../../src/tools/builtins/schedules/schedule-store.js';
import { realPostgresUrl } from '../helpers/test-db.js';
import { connectHttp } from '../mcp/helpers/mcp-fixtures.js';
import {
  createServeHome,
  markers,
  postHook,
  type ServeHome,
  type ServeProcess,
  spawnServe,
  waitForTriggers,
  waitUntil,
} from './serve-harness.js';

const CONFIG = `jobs:
  concurrency: 8
  heartbeat_interval: 300
  stale_after: 2000
  poll_interval: 100
  shutdown_timeout: 5000
schedules:
  tick_interval: 250
webhooks:
  hooks:
    mark: { skill: crash.mark, principal: local, secret_env: SKILLGATE_TEST_CRASH_SECRET }
    purge: { skill: crash.purge, principal: local, secret_env: SKILLGATE_TEST_CRASH_SECRET }
`;

const url = realPostgresUrl();

/** Sends `n` deliveries, `width` at a time, alternating between the replicas. */
async function submit(urls: string[], from: number, n: number, width = 16): Promise<string[]> {
  const ids: string[] = new Array(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      for (let i = next++; i < n; i = next++) {
        const r = await postHook(urls[i % urls.length], 'mark', { mark: `job-${from + i}` });
        if (r.status !== 200) throw new Error(`delivery ${i}: ${r.status} ${JSON.stringify(r.body)}`);
        ids[i] = r.body.job_id;
      }
    }),
  );
  return ids;
}

describe.skipIf(!url)('scale-out: two `skillgate serve` replicas on one real Postgres', () => {
  let admin: PgDb;
  let db: PgDb;
  let dbName: string;
  let h: ServeHome;
  const replicas: ServeProcess[] = [];

  beforeAll(async () => {
    admin = await PgDb.open({ connectionString: url!, max: 1 });
    dbName = `skillgate_scale_${process.pid}_${Date.now()}`;
    await admin.exec(`CREATE DATABASE ${dbName} TEMPLATE ${inject('postgresTemplateDb')}`);
    const u = new URL(url!);
    u.pathname = `/${dbName}`;
    db = await PgDb.open({ connectionString: u.toString() });
    await db.exec(
      'CREATE TABLE demo.trigger_marks (mark text NOT NULL, at timestamptz NOT NULL DEFAULT now())',
    );
    h = await createServeHome(CONFIG, u.toString());
    replicas.push(...(await Promise.all([spawnServe(h), spawnServe(h)])));
    await Promise.all(replicas.map((r) => waitForTriggers(r)));
  }, 90_000);

  afterAll(async () => {
    for (const r of replicas) if (r.child.exitCode === null) r.child.kill('SIGKILL');
    await db?.close();
    await admin?.exec(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => {});
    await admin?.close();
    h?.remove();
  });

  it('runs 1,000 jobs and a per-second schedule exactly once, resumes approvals across replicas, loses nothing when one stops', async () => {
    const [a, b] = replicas;
    const { config } = loadConfig({ file: h.configFile, env: {}, cwd: h.dir });
    const local = { id: 'local', tenant: 'default', roles: ['admin'] };
    const schedule = await db.tx((q) =>
      createSchedule(
        q,
        ScheduleSpecSchema.parse({ skill: 'crash.mark', cron: '* * * * * *', input: { mark: 'sched' } }),
        local,
      ),
    );
    const scheduleStart = Date.now();

    const started = Date.now();
    const first = await submit([a.url, b.url], 0, 1000);
    await waitUntil(
      async () =>
        (
          await db.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM jobs WHERE id = ANY($1) AND state = 'succeeded'`,
            [first],
          )
        ).rows[0].n === 1000,
      60_000,
      '1,000 jobs',
    );
    const seconds = (Date.now() - started) / 1000;

    // An approval asked on whichever replica ran the job is decided through the other one (MCP).
    const purge = await postHook(a.url, 'purge', { dir: h.markers, key: 'scale-purge' });
    expect(purge.status).toBe(200);
    const waiting = await waitUntil(
      async () =>
        (
          await db.query(`SELECT 1 FROM jobs WHERE id = $1 AND state = 'waiting_approval'`, [
            purge.body.job_id,
          ])
        ).rows.length === 1,
      20_000,
      'approval requested',
    ).then(() =>
      db.query<{ approval_id: string; pid: number }>(
        `SELECT j.approval_id, w.pid FROM jobs j JOIN job_attempts t ON t.job_id = j.id JOIN job_workers w ON w.id = t.worker_id
         WHERE j.id = $1`,
        [purge.body.job_id],
      ),
    );
    const startedOn = waiting.rows[0].pid;
    const other = replicas.find((r) => r.child.pid !== startedOn)!;
    expect(replicas.map((r) => r.child.pid)).toContain(startedOn);
    const { token } = await new TokenStore(db, { config }).create({
      name: 'bob-scale',
      principal: 'bob',
      createdBy: 'test',
    });
    const client = await connectHttp(`${other.url}/mcp`, token);
    const decided = await client.callTool({
      name: 'approvals_decide',
      arguments: { approval_id: waiting.rows[0].approval_id, decision: 'approve' },
    });
    await client.close();
    expect(JSON.stringify(decided.structuredContent ?? decided.content)).toContain('succeeded');
    expect(markers(h, 'scale-purge').ends).toBe(1);
    await waitUntil(
      async () =>
        (await db.query(`SELECT 1 FROM jobs WHERE id = $1 AND state = 'succeeded'`, [purge.body.job_id])).rows
          .length === 1,
      10_000,
      'approved job settled',
    );

    // Stopping replica A (SIGTERM) while jobs are queued and running loses none of them.
    const more = submit([b.url], 1000, 200, 8);
    await waitUntil(
      async () =>
        (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM jobs WHERE source = 'webhook'`))
          .rows[0].n > 1100,
      20_000,
      'more jobs accepted',
    );
    a.child.kill('SIGTERM');
    expect(await a.exited).toBe(0);
    const lateIds = await more;
    expect(lateIds).toHaveLength(200);

    const remaining = Math.max(0, 62_000 - (Date.now() - scheduleStart));
    await new Promise((r) => setTimeout(r, remaining));
    await db.query('UPDATE schedules SET enabled = false WHERE id = $1', [schedule.id]);
    await waitUntil(
      async () =>
        (
          await db.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM jobs WHERE state IN ('queued', 'running', 'waiting_approval')`,
          )
        ).rows[0].n === 0,
      30_000,
      'every job final',
    );

    const states = await db.query<{ state: string; n: number }>(
      'SELECT state, count(*)::int AS n FROM jobs GROUP BY state',
    );
    expect(states.rows).toEqual([{ state: 'succeeded', n: expect.any(Number) }]);
    // Every webhook job ran exactly once (one mark each), every accepted delivery became a job.
    const marks = await db.query<{ n: number; d: number }>(
      `SELECT count(*)::int AS n, count(DISTINCT mark)::int AS d FROM demo.trigger_marks WHERE mark LIKE 'job-%'`,
    );
    const webhookJobs = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM jobs WHERE source_ref = 'mark'`,
    );
    expect(marks.rows[0]).toEqual({ n: webhookJobs.rows[0].n, d: webhookJobs.rows[0].n });
    expect(webhookJobs.rows[0].n).toBe(1000 + lateIds.length);
    const runs = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM runs WHERE skill_id = 'crash.mark' AND parent_run_id IS NULL`,
    );
    const schedJobs = await db.query<{ slot: string }>(
      `SELECT dedupe_key AS slot FROM jobs WHERE source = 'schedule' AND source_ref = $1 ORDER BY dedupe_key`,
      [schedule.id],
    );
    const sched = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM demo.trigger_marks WHERE mark = 'sched'`,
    );
    expect(runs.rows[0].n).toBe(webhookJobs.rows[0].n + schedJobs.rows.length);
    // A per-second schedule for a minute: one job per second, no gap, each executed once.
    expect(schedJobs.rows.length).toBeGreaterThanOrEqual(58);
    const slots = schedJobs.rows.map((r) => Date.parse(r.slot.split(':').slice(2).join(':')));
    expect((slots.at(-1)! - slots[0]) / 1000 + 1).toBe(slots.length);
    expect(sched.rows[0].n).toBe(schedJobs.rows.length);
    expect((await verifyAudit(db)).ok).toBe(true);
    console.log(
      `scale-out: 1000 jobs in ${seconds.toFixed(1)} s (${(1000 / seconds).toFixed(0)} jobs/s incl. HTTP delivery), ${schedJobs.rows.length} schedule runs, ${lateIds.length} jobs across a replica stop`,
    );
  }, 115_000);
});
