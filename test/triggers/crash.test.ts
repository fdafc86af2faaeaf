import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAudit } from '../../src/core/audit/audit-log.js';
import type { Db } from '../../src/db/db.js';
import { PgliteDb } from '../../src/db/pglite-db.js';
import { cli } from '../cli/cli-harness.js';
import {
  createServeHome,
  killHard,
  markers,
  postHook,
  type ServeHome,
  spawnServe,
  waitForTriggers,
  waitUntil,
} from './serve-harness.js';

const HOOKS = ['sleep', 'idem', 'pipe', 'purge']
  .map(
    (id) =>
      `    ${id}: { skill: crash.${id === 'idem' ? 'sleep_idem' : id === 'pipe' ? 'pipeline' : id}, principal: local, secret_env: SKILLGATE_TEST_CRASH_SECRET }`,
  )
  .join('\n');

const CONFIG = `jobs:
  concurrency: 2
  heartbeat_interval: 300
  stale_after: 1500
  poll_interval: 100
  retry_delay: 1000
  shutdown_timeout: 1500
webhooks:
  hooks:
${HOOKS}
`;

interface JobRow {
  id: string;
  state: string;
  attempts: number;
  run_id: string | null;
  approval_id: string | null;
  last_error: { code: string } | null;
}

async function withDb<T>(h: ServeHome, fn: (db: Db) => Promise<T>): Promise<T> {
  const db = await PgliteDb.open({ dataDir: join(h.home, 'pgdata') });
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

async function job(db: Db, id: string): Promise<JobRow> {
  return (await db.query<JobRow>('SELECT * FROM jobs WHERE id = $1', [id])).rows[0];
}

async function runStatus(db: Db, id: string | null): Promise<string | undefined> {
  return (await db.query<{ status: string }>('SELECT status FROM runs WHERE id = $1', [id])).rows[0]?.status;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('crash safety: skillgate serve killed with SIGKILL and restarted', () => {
  let h: ServeHome;
  beforeAll(async () => {
    h = await createServeHome(CONFIG);
  });
  afterAll(() => h.remove());

  it('loses no accepted job, re-runs only idempotent ones, keeps approvals decidable and the audit chain intact', async () => {
    const dir = h.markers;
    const accept = async (url: string, hook: string, payload: Record<string, unknown>) => {
      const r = await postHook(url, hook, { dir, ...payload });
      expect(r.status).toBe(200);
      return r.body.job_id as string;
    };

    // Life 1: two jobs mid-run, two accepted but not started (concurrency 2); then SIGKILL.
    let s = await spawnServe(h);
    await waitForTriggers(s);
    const j1 = await accept(s.url, 'sleep', { key: 'j1', first_ms: 60_000 });
    const j2 = await accept(s.url, 'idem', { key: 'j2', first_ms: 60_000, retry_ms: 0 });
    await waitUntil(
      () => markers(h, 'j1').starts === 1 && markers(h, 'j2').starts === 1,
      20_000,
      'j1 and j2 running',
    );
    const j3 = await accept(s.url, 'sleep', { key: 'j3' });
    const j4 = await accept(s.url, 'idem', { key: 'j4' });
    await killHard(s);
    expect(markers(h, 'j3').starts + markers(h, 'j4').starts).toBe(0);

    // Life 2: recovery; then a pipeline killed mid-way and an approval left pending; SIGKILL.
    s = await spawnServe(h);
    await waitForTriggers(s);
    await waitUntil(
      () => markers(h, 'j2').ends === 1 && markers(h, 'j3').ends === 1 && markers(h, 'j4').ends === 1,
      30_000,
      'j2 retried, j3 and j4 run',
    );
    const j5 = await accept(s.url, 'pipe', { key: 'j5', first_ms: 60_000 });
    const j6 = await accept(s.url, 'purge', { key: 'j6' });
    await waitUntil(
      () => markers(h, 'j5-long').starts === 1 && markers(h, 'j6').previewed,
      20_000,
      'pipeline mid-way, approval asked',
    );
    await sleep(1500);
    await killHard(s);

    const approval = await withDb(h, async (db) => {
      expect(await job(db, j1)).toMatchObject({
        state: 'interrupted',
        attempts: 1,
        last_error: { code: 'job.interrupted' },
      });
      expect(await runStatus(db, (await job(db, j1)).run_id)).toBe('interrupted');
      expect(await job(db, j2)).toMatchObject({ state: 'succeeded', attempts: 2 });
      expect(await job(db, j3)).toMatchObject({ state: 'succeeded', attempts: 1 });
      expect(await job(db, j4)).toMatchObject({ state: 'succeeded', attempts: 1 });
      const w = await job(db, j6);
      expect(w.state).toBe('waiting_approval');
      const a = await db.query<{ status: string }>('SELECT status FROM approvals WHERE id = $1', [
        w.approval_id,
      ]);
      expect(a.rows[0].status).toBe('pending');
      expect((await job(db, j5)).state).toBe('running');
      return w.approval_id!;
    });
    // The pending approval is decided while no server runs (another process); the run executes there.
    const decided = await cli({ ...h, remove: () => {} }, '--as', 'bob', 'approvals', 'approve', approval);
    expect(decided.code).toBe(0);
    expect(markers(h, 'j6').ends).toBe(1);

    // Life 3: recovery of the pipeline, follow-up of the decided approval; then a graceful SIGTERM
    // with one non-idempotent and one idempotent job running.
    s = await spawnServe(h);
    await waitForTriggers(s);
    const j7 = await accept(s.url, 'sleep', { key: 'j7', first_ms: 60_000 });
    const j8 = await accept(s.url, 'idem', { key: 'j8', first_ms: 60_000, retry_ms: 0 });
    await waitUntil(
      () => markers(h, 'j7').starts === 1 && markers(h, 'j8').starts === 1,
      20_000,
      'j7 and j8 running',
    );
    await sleep(2500);
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
    expect(s.output()).toContain('Skillgate stopped');

    await withDb(h, async (db) => {
      const p = await job(db, j5);
      expect(p).toMatchObject({ state: 'interrupted' });
      expect(await runStatus(db, p.run_id)).toBe('interrupted');
      const steps = await db.query<{ skill_id: string; status: string; input: { key: string } }>(
        'SELECT skill_id, status, input FROM runs WHERE parent_run_id = $1 ORDER BY created_at',
        [p.run_id],
      );
      expect(steps.rows.map((r) => [r.input.key, r.status])).toEqual([
        ['j5-quick', 'succeeded'],
        ['j5-long', 'interrupted'],
      ]);
      expect(await job(db, j6)).toMatchObject({ state: 'succeeded' });
      expect(await job(db, j7)).toMatchObject({ state: 'interrupted' });
      expect((await job(db, j8)).state).toBe('queued');
    });

    // Life 4: the released idempotent job finishes.
    s = await spawnServe(h);
    await waitUntil(() => markers(h, 'j8').ends === 1, 30_000, 'j8 retried');
    await sleep(500);
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);

    await withDb(h, async (db) => {
      const open = await db.query(
        `SELECT id, state FROM jobs WHERE state IN ('queued', 'running', 'waiting_approval')`,
      );
      expect(open.rows).toEqual([]);
      expect(await job(db, j8)).toMatchObject({ state: 'succeeded', attempts: 2 });
      const audit = await verifyAudit(db);
      expect(audit.ok).toBe(true);
      const interrupted = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM audit_log WHERE action = 'run.interrupted'`,
      );
      expect(interrupted.rows[0].n).toBeGreaterThanOrEqual(3);
    });
    // Non-idempotent runs interrupted mid-way were never silently re-run.
    expect(markers(h, 'j1').starts).toBe(1);
    expect(markers(h, 'j7').starts).toBe(1);
    expect(markers(h, 'j5-long').starts).toBe(1);
    expect(markers(h, 'j2').starts).toBe(2);
  }, 180_000);
});
