import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SkillgateApp } from '../../src/core/app.js';
import type { Principal } from '../../src/core/principal.js';
import { createTestApp, type TestAppOptions } from '../helpers/test-app.js';
import { type LocalServer, localServer } from './http-fixtures.js';
import { PACKS, SKILLS_ROOT } from './skill-context.js';

type Row = Record<string, unknown>;

/**
 * The shipped skills through the one execution path: the real registry, engine, handlers and
 * gates, on the seeded demo data and configured services on 127.0.0.1.
 */
describe('catalogue skills through the engine', () => {
  let app: SkillgateApp & { as(id: string): Principal };
  let health: LocalServer;
  let healthy = true;
  const workdir = mkdtempSync(join(tmpdir(), 'skillgate-deploy-'));

  beforeAll(async () => {
    health = await localServer((_req, res) => {
      res.statusCode = healthy ? 200 : 503;
      res.end(healthy ? 'ok' : 'starting');
    });
    const options: TestAppOptions = {
      skillDirs: PACKS.map((p) => join(SKILLS_ROOT, p)),
      seed: true,
      config: {
        services: {
          api: {
            health_url: `${health.url}/healthz`,
            cwd: workdir,
            deploy_command: ['sh', '-c', 'echo "$SKILLGATE_VERSION" > deployed.txt'],
            rollback_command: ['sh', '-c', 'echo rolled-back > rollback.txt'],
          },
        },
      },
    };
    app = await createTestApp(options);
    expect(app.registry.problems()).toEqual([]);
  });
  afterAll(async () => {
    await health.close();
    await app.close();
  });

  const run = (
    who: string,
    skill: string,
    input: Record<string, unknown> = {},
    mode: 'execute' | 'dry_run' = 'execute',
  ) => app.engine.run({ principal: app.as(who), channel: 'test', skill, input, mode });

  it('runs reports.weekly_summary as a pipeline, its three sources in parallel', async () => {
    const r = await run('vic', 'reports.weekly_summary');
    expect(r.error).toBeUndefined();
    expect(r.status).toBe('succeeded');
    const out = r.output as {
      headline: string;
      sections: { title: string; items: string[] }[];
      text: string;
    };
    expect(out.headline).toMatch(/^\d+ overdue invoices worth €[\d,.]+ · \d+ new customers · \d+ runs?/);
    expect(out.sections.map((s) => s.title)).toEqual([
      'Overdue invoices',
      'New customers',
      'Skillgate activity',
    ]);
    expect(out.sections[1].items.join('\n')).toContain('Mei Tanaka');
    expect(out.text).toContain('**Weekly summary**');
    const steps = (
      await app.db.query<{ step_id: string; status: string; started_at: Date; finished_at: Date }>(
        'SELECT step_id, status, started_at, finished_at FROM run_steps WHERE run_id = $1',
        [r.runId],
      )
    ).rows;
    expect(steps.map((s) => `${s.step_id}:${s.status}`).sort()).toEqual([
      'new_customers:succeeded',
      'overdue:succeeded',
      'run_stats:succeeded',
      'summary:succeeded',
    ]);
    const sources = steps.filter((s) => s.step_id !== 'summary');
    const lastStart = Math.max(...sources.map((s) => s.started_at.getTime()));
    const firstEnd = Math.min(...sources.map((s) => s.finished_at.getTime()));
    expect(lastStart).toBeLessThanOrEqual(firstEnd);
  });

  it('keeps internal steps out of direct reach', async () => {
    const r = await run('local', 'ops.run_stats');
    expect(r.error?.code).toBe('skill.not_found');
  });

  it('asks approval for a bulk delete with a preview of exactly the rows, then deletes them', async () => {
    const r = await run('local', 'crm.delete_customers', { city: 'Austin' });
    expect(r.status).toBe('pending_approval');
    const preview = r.preview as { would_delete: Row[] };
    expect(preview.would_delete.map((c) => c.name).sort()).toEqual(['Bill Lumbergh', 'Peter Gibbons']);
    const d = await app.engine.decide({
      approvalId: r.approval!.id,
      principal: app.as('bob'),
      decision: 'approve',
      channel: 'test',
    });
    expect(d.run?.status).toBe('succeeded');
    expect(d.run?.output).toMatchObject({ deleted_count: 2 });
  });

  it('dry-runs a reminder through the engine without queueing anything', async () => {
    const n = (
      await app.db.query<{ number: number }>(
        `SELECT min(number) AS number FROM demo.invoices WHERE status = 'open' AND due_on < current_date`,
      )
    ).rows[0].number;
    const r = await run('alice', 'invoices.send_reminder', { invoice: n }, 'dry_run');
    expect(r.status).toBe('dry_run');
    expect((r.preview as { would_queue: Row[] }).would_queue[0].subject).toContain(`invoice ${n}`);
    expect((await app.db.query('SELECT 1 FROM outbox')).rows).toEqual([]);
    const sent = await run('alice', 'invoices.send_reminder', { invoice: n });
    expect(sent.status).toBe('succeeded');
    expect((await app.db.query('SELECT run_id FROM outbox')).rows).toEqual([{ run_id: sent.runId }]);
  });

  it('deploys only after approval of the whole pipeline, then verifies health', async () => {
    healthy = true;
    const r = await run('local', 'ops.deploy', { service: 'api', version: '2.4.1', verify_attempts: 2 });
    expect(r.status).toBe('pending_approval');
    expect(existsSync(join(workdir, 'deployed.txt'))).toBe(false);
    const plan = r.preview as { layers: { id: string; uses: string }[][]; on_failure: { uses: string }[] };
    expect(plan.layers.map((l) => l.map((s) => s.uses))).toEqual([
      ['ops.service_status'],
      ['ops.run_deploy'],
      ['ops.verify_health'],
    ]);
    expect(plan.on_failure).toEqual([{ id: 'rollback', uses: 'ops.rollback' }]);
    // The approver sees exactly what would run: the deploy step's own preview, rendered after the pre-check.
    const deployStep = plan.layers[1][0] as { preview?: { action: string; would_run: unknown } };
    expect(deployStep.preview).toMatchObject({ action: 'deploy', would_run: expect.anything() });
    expect(JSON.stringify(deployStep.preview)).toContain('2.4.1');
    const d = await app.engine.decide({
      approvalId: r.approval!.id,
      principal: app.as('carol'),
      decision: 'approve',
      channel: 'test',
    });
    expect(d.run?.error).toBeUndefined();
    expect(d.run?.status).toBe('succeeded');
    expect(readFileSync(join(workdir, 'deployed.txt'), 'utf8')).toBe('2.4.1\n');
    expect(d.run?.output).toMatchObject({
      service: 'api',
      version: '2.4.1',
      verification: { verified: true },
    });
    expect(existsSync(join(workdir, 'rollback.txt'))).toBe(false);
  });

  it('rolls back when the service is unhealthy after the deploy', async () => {
    healthy = false;
    const r = await run('local', 'ops.deploy', { service: 'api', version: '2.5.0', verify_attempts: 1 });
    const d = await app.engine.decide({
      approvalId: r.approval!.id,
      principal: app.as('bob'),
      decision: 'approve',
      channel: 'test',
    });
    expect(d.run?.status).toBe('failed');
    expect(d.run?.error).toMatchObject({
      code: 'pipeline.step_failed',
      details: { step: 'verify', cause_code: 'ops.unhealthy', on_failure: 'succeeded' },
    });
    expect(readFileSync(join(workdir, 'rollback.txt'), 'utf8')).toBe('rolled-back\n');
    healthy = true;
  });

  it('does not roll back when the pre-check already failed (nothing was deployed)', async () => {
    const r = await run('local', 'ops.deploy', { service: 'nope' });
    const d = await app.engine.decide({
      approvalId: r.approval!.id,
      principal: app.as('bob'),
      decision: 'approve',
      channel: 'test',
    });
    expect(d.run?.error).toMatchObject({
      code: 'pipeline.step_failed',
      details: { step: 'precheck', cause_code: 'ops.service_unknown' },
    });
    const steps = await app.db.query<Row>(
      'SELECT step_id, status FROM run_steps WHERE run_id = $1 ORDER BY step_id',
      [r.runId],
    );
    expect(steps.rows).toEqual([
      { step_id: 'deploy', status: 'skipped' },
      { step_id: 'precheck', status: 'failed' },
      { step_id: 'rollback', status: 'skipped' },
      { step_id: 'verify', status: 'skipped' },
    ]);
  });
});
