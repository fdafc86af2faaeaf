import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PgliteDb } from '../../src/db/pglite-db.js';
import { runHistory } from '../../src/tools/builtins/ops/run-history.js';
import { runStats } from '../../src/tools/builtins/ops/run-stats.js';
import { createTestDb } from '../helpers/test-db.js';
import { addRun } from './run-fixtures.js';
import { skillContext } from './skill-context.js';

type Row = Record<string, unknown>;

describe('ops.run_history and ops.run_stats on recorded runs', () => {
  let db: PgliteDb;
  const at = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000);
  let parent: string;

  beforeAll(async () => {
    db = await createTestDb();
    // In time order, as the engine appends them (the audit log is ordered by sequence).
    await addRun(db, { principal: 'alice', skill: 'crm.find_customer', at: at(60 * 24 * 30), durationMs: 5 });
    await addRun(db, { principal: 'alice', skill: 'crm.find_customer', at: at(50), durationMs: 12 });
    await addRun(db, {
      principal: 'bob',
      skill: 'ops.restart_service',
      at: at(40),
      status: 'failed',
      durationMs: 900,
      error: { code: 'handler.command_failed', message: 'exit 3' },
    });
    await addRun(db, { principal: 'bob', skill: 'ops.deploy', at: at(30), status: 'waiting_approval' });
    parent = await addRun(db, {
      principal: 'alice',
      skill: 'reports.weekly_summary',
      at: at(20),
      durationMs: 300,
    });
    await addRun(db, { principal: 'alice', skill: 'ops.run_stats', at: at(20), parent });
    await addRun(db, { principal: 'carol', skill: 'crm.update_customer', at: at(10) });
    await addRun(db, { tenant: 'other', principal: 'mallory', skill: 'crm.find_customer', at: at(5) });
    await db.query(`INSERT INTO approvals (id, tenant, run_id, skill_id, skill_version, input, input_hash, requested_by, requester, channel, risk, reason, approver_roles, expires_at)
      VALUES ('apr_1', 'default', 'run_x', 'ops.deploy', '1.0.0', '{}', 'h', 'bob', '{}', 'cli', 'high', 'high risk', '{approver}', now() + interval '1 day')`);
  });
  afterAll(async () => {
    await db.close();
  });

  const history = (input: Record<string, unknown>) =>
    runHistory(skillContext('ops.run_history', { db, input })) as Promise<{ runs: Row[]; audit: Row[] }>;

  it('lists the most recent top-level runs of the tenant, newest first, with their audit entries', async () => {
    const out = await history({ limit: 4 });
    expect(out.runs.map((r) => r.skill)).toEqual([
      'crm.update_customer',
      'reports.weekly_summary',
      'ops.deploy',
      'ops.restart_service',
    ]);
    expect(out.runs.every((r) => r.user !== 'mallory')).toBe(true);
    expect(out.runs[3]).toMatchObject({
      status: 'failed',
      error_code: 'handler.command_failed',
      error_message: 'exit 3',
      user: 'bob',
    });
    expect(out.audit).toHaveLength(4);
    expect(out.audit[0]).toMatchObject({
      user: 'carol',
      action: 'run.succeeded',
      skill: 'crm.update_customer',
    });
  });

  it('filters by skill glob, user, status and start date', async () => {
    expect((await history({ skill: 'ops.*' })).runs.map((r) => r.skill)).toEqual([
      'ops.deploy',
      'ops.restart_service',
    ]);
    expect((await history({ user: 'alice' })).runs.map((r) => r.skill)).toEqual([
      'reports.weekly_summary',
      'crm.find_customer',
      'crm.find_customer',
    ]);
    const failed = await history({ status: 'failed' });
    expect(failed.runs.map((r) => r.skill)).toEqual(['ops.restart_service']);
    expect(failed.audit.map((a) => a.action)).toEqual(['run.failed']);
    const waiting = await history({ status: 'waiting_approval', include_audit: false });
    expect(waiting).toMatchObject({ runs: [{ skill: 'ops.deploy' }], audit: [] });
    const since = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    expect((await history({ user: 'alice', since })).runs).toHaveLength(2);
  });

  it('takes the skill filter literally apart from *', async () => {
    expect((await history({ skill: 'crm_find%' })).runs).toEqual([]);
    expect((await history({ skill: 'crm.find_customer' })).runs).toHaveLength(2);
  });

  it('shows pipeline step runs only when asked', async () => {
    expect((await history({ skill: 'ops.run_stats' })).runs).toEqual([]);
    const steps = await history({ skill: 'ops.run_stats', include_child_runs: true });
    expect(steps.runs).toEqual([expect.objectContaining({ parent_run_id: parent })]);
  });

  it('ops.run_stats counts top-level runs of the last days by status and skill', async () => {
    const s = await runStats(skillContext('ops.run_stats', { db, input: { days: 7 } }));
    expect(s).toMatchObject({
      total_runs: 5,
      by_status: { succeeded: 3, failed: 1, waiting_approval: 1 },
      succeeded: 3,
      failed: 1,
      success_rate: 0.75,
      users: 3,
      pending_approvals: 1,
    });
    expect(s.top_skills.find((t) => t.skill === 'ops.restart_service')).toEqual({
      skill: 'ops.restart_service',
      runs: 1,
      failed: 1,
      avg_ms: 900,
      p95_ms: 900,
    });
  });
});
