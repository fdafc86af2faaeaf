import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAudit } from '../../src/core/audit/audit-log.js';
import { getEvents, getRun } from '../../src/core/records/run-store.js';
import { ENGINE_SKILLS_DIR, engineFixtureBuiltins } from '../helpers/engine-fixtures.js';
import { createTestApp } from '../helpers/test-app.js';

type App = Awaited<ReturnType<typeof createTestApp>>;

describe('engine: the one execution path', () => {
  let app: App;
  let fx: ReturnType<typeof engineFixtureBuiltins>;

  beforeAll(async () => {
    fx = engineFixtureBuiltins();
    app = await createTestApp({ builtins: fx.builtins, skillDirs: [ENGINE_SKILLS_DIR] });
    expect(app.registry.problems()).toEqual([]);
  });
  afterAll(() => app.close());

  const run = (principal: string, skill: string, input: Record<string, unknown>, extra = {}) =>
    app.engine.run({ principal: app.as(principal), channel: 'test', skill, input, ...extra });

  it('runs a read skill and records run, events and an audit entry', async () => {
    const r = await run('vic', 'demo.echo', { text: 'hi' });
    expect(r.status).toBe('succeeded');
    expect(r.output).toEqual({ text: 'hi' });
    const rec = await getRun(app.db, r.runId);
    expect(rec?.status).toBe('succeeded');
    expect(rec?.inputHash).toMatch(/^[0-9a-f]{64}$/);
    const types = (await getEvents(app.db, r.runId)).map((e) => e.type);
    expect(types).toEqual([
      'request_received',
      'policy_decision',
      'budget_check',
      'execution_started',
      'execution_result',
    ]);
    const audit = await app.db.query<{ action: string }>('SELECT action FROM audit_log WHERE run_id = $1', [
      r.runId,
    ]);
    expect(audit.rows.map((a) => a.action)).toEqual(['run.succeeded']);
  });

  it('rejects an unknown skill with skill.not_found and records the refusal', async () => {
    const r = await run('local', 'demo.nope', {});
    expect(r.status).toBe('rejected');
    expect(r.error?.code).toBe('skill.not_found');
    expect((await getRun(app.db, r.runId))?.status).toBe('rejected');
  });

  it('rejects invalid input before anything executes', async () => {
    const before = fx.calls.echo ?? 0;
    const r = await run('local', 'demo.echo', { text: '', extra: 1 });
    expect(r.error?.code).toBe('skill.input_invalid');
    expect(r.error?.message).toMatch(/text/);
    expect(fx.calls.echo ?? 0).toBe(before);
  });

  it('denies a principal whose roles lack the permission', async () => {
    const before = fx.notes.length;
    const r = await run('vic', 'demo.write', { note: 'viewer write' });
    expect(r.error?.code).toBe('policy.denied');
    expect(fx.notes.length).toBe(before);
  });

  it('denies an operator a high-risk skill (max_risk medium)', async () => {
    const r = await run('alice', 'demo.purge', { prefix: 'x' });
    expect(r.error?.code).toBe('policy.denied');
  });

  it('dry-runs a write skill without side effects', async () => {
    const before = fx.notes.length;
    const r = await run('alice', 'demo.write', { note: 'dry' }, { mode: 'dry_run' });
    expect(r.status).toBe('dry_run');
    expect(r.preview).toEqual({ would_write: 'dry' });
    expect(fx.notes.length).toBe(before);
  });

  it('replays a duplicate idempotency key without executing again', async () => {
    const before = fx.calls.write ?? 0;
    const first = await run('alice', 'demo.write', { note: 'once' }, { idempotencyKey: 'k-1' });
    const second = await run('alice', 'demo.write', { note: 'once' }, { idempotencyKey: 'k-1' });
    expect(first.status).toBe('succeeded');
    expect(second.replayed).toBe(true);
    expect(second.runId).toBe(first.runId);
    expect(second.output).toEqual(first.output);
    expect(fx.calls.write).toBe(before + 1);
    const reused = await run('alice', 'demo.write', { note: 'other' }, { idempotencyKey: 'k-1' });
    expect(reused.error?.code).toBe('idempotency.key_reused');
    expect(fx.calls.write).toBe(before + 1);
  });

  it('scopes idempotency keys per principal', async () => {
    const a = await run('alice', 'demo.write', { note: 'scoped' }, { idempotencyKey: 'k-2' });
    const b = await run('local', 'demo.write', { note: 'scoped' }, { idempotencyKey: 'k-2' });
    expect(b.runId).not.toBe(a.runId);
    expect(b.replayed).toBeUndefined();
  });

  it('times out a slow skill and aborts its handler', async () => {
    const r = await run('alice', 'demo.slow', {});
    expect(r.status).toBe('failed');
    expect(r.error?.code).toBe('skill.timeout');
    expect(fx.calls.slow_finished ?? 0).toBe(1); // the abort signal reached the handler
  });

  it('retries an idempotent skill until it succeeds', async () => {
    const r = await run('vic', 'demo.flaky', { key: 'a' });
    expect(r.status).toBe('succeeded');
    expect(r.output).toEqual({ attempts: 3 });
    expect((await getRun(app.db, r.runId))?.attempts).toBe(3);
  });

  describe('approvals', () => {
    it('requires approval for a high-risk delete, executes exactly the approved input once', async () => {
      fx.notes.push('tmp-1', 'tmp-2', 'keep');
      const r = await run('local', 'demo.purge', { prefix: 'tmp-' });
      expect(r.status).toBe('pending_approval');
      expect(r.preview).toEqual({ would_delete: ['tmp-1', 'tmp-2'] });
      expect(fx.calls.purge ?? 0).toBe(0);
      const approvalId = r.approval!.id;

      await expect(
        app.engine.decide({ approvalId, principal: app.as('local'), decision: 'approve', channel: 'test' }),
      ).rejects.toMatchObject({ code: 'approval.self_approval' });
      await expect(
        app.engine.decide({ approvalId, principal: app.as('alice'), decision: 'approve', channel: 'test' }),
      ).rejects.toMatchObject({ code: 'approval.not_approver' });
      await expect(
        app.engine.decide({ approvalId, principal: app.as('eve'), decision: 'approve', channel: 'test' }),
      ).rejects.toMatchObject({ code: 'approval.not_found' });

      const d = await app.engine.decide({
        approvalId,
        principal: app.as('bob'),
        decision: 'approve',
        channel: 'test',
      });
      expect(d.run?.status).toBe('succeeded');
      expect(d.run?.runId).toBe(r.runId);
      expect(d.run?.output).toEqual({ deleted: ['tmp-1', 'tmp-2'] });
      expect(d.approval.status).toBe('executed');
      expect(fx.calls.purge).toBe(1);

      await expect(
        app.engine.decide({ approvalId, principal: app.as('carol'), decision: 'approve', channel: 'test' }),
      ).rejects.toMatchObject({ code: 'approval.not_pending' });
      expect(fx.calls.purge).toBe(1);
      expect(await app.engine.executeApproved(approvalId)).toBeUndefined();
      expect(fx.calls.purge).toBe(1);
    });

    it('a deny decides at once and nothing runs', async () => {
      const before = fx.calls.purge ?? 0;
      const r = await run('local', 'demo.purge', { prefix: 'keep' });
      const d = await app.engine.decide({
        approvalId: r.approval!.id,
        principal: app.as('bob'),
        decision: 'deny',
        comment: 'no',
        channel: 'test',
      });
      expect(d.approval.status).toBe('denied');
      expect(d.run).toBeUndefined();
      expect((await getRun(app.db, r.runId))?.status).toBe('denied');
      expect(fx.calls.purge ?? 0).toBe(before);
    });

    it('honours a quorum of two distinct approvers', async () => {
      const before = fx.calls.write ?? 0;
      const r = await run('alice', 'demo.quorum', { note: 'two-person' });
      expect(r.status).toBe('pending_approval');
      const id = r.approval!.id;
      const first = await app.engine.decide({
        approvalId: id,
        principal: app.as('bob'),
        decision: 'approve',
        channel: 'test',
      });
      expect(first.approval.status).toBe('pending');
      await expect(
        app.engine.decide({ approvalId: id, principal: app.as('bob'), decision: 'approve', channel: 'test' }),
      ).rejects.toMatchObject({ code: 'approval.already_decided' });
      expect(fx.calls.write ?? 0).toBe(before);
      const second = await app.engine.decide({
        approvalId: id,
        principal: app.as('carol'),
        decision: 'approve',
        channel: 'test',
      });
      expect(second.run?.status).toBe('succeeded');
      expect(fx.calls.write).toBe(before + 1);
    });

    it('refuses an expired approval and marks the run expired', async () => {
      const r = await run('local', 'demo.purge', { prefix: 'late' });
      await app.db.query(`UPDATE approvals SET expires_at = now() - interval '1 minute' WHERE id = $1`, [
        r.approval!.id,
      ]);
      await expect(
        app.engine.decide({
          approvalId: r.approval!.id,
          principal: app.as('bob'),
          decision: 'approve',
          channel: 'test',
        }),
      ).rejects.toMatchObject({ code: 'approval.expired' });
      expect((await getRun(app.db, r.runId))?.status).toBe('expired');
    });

    it('concurrent approvals by two approvers execute the run once', async () => {
      const before = fx.calls.purge ?? 0;
      const r = await run('local', 'demo.purge', { prefix: 'race' });
      const results = await Promise.allSettled(
        ['bob', 'carol'].map((p) =>
          app.engine.decide({
            approvalId: r.approval!.id,
            principal: app.as(p),
            decision: 'approve',
            channel: 'test',
          }),
        ),
      );
      expect(results.filter((x) => x.status === 'fulfilled')).toHaveLength(1);
      expect(results.find((x) => x.status === 'rejected')).toMatchObject({
        reason: { code: 'approval.not_pending' },
      });
      expect(fx.calls.purge).toBe(before + 1);
    });

    it('expireApprovals sweeps overdue approvals', async () => {
      const r = await run('local', 'demo.purge', { prefix: 'sweep' });
      await app.db.query(`UPDATE approvals SET expires_at = now() - interval '1 second' WHERE id = $1`, [
        r.approval!.id,
      ]);
      expect(await app.engine.expireApprovals()).toBeGreaterThanOrEqual(1);
      expect((await getRun(app.db, r.runId))?.status).toBe('expired');
    });
  });

  it('keeps the audit chain verifiable after all of the above', async () => {
    const v = await verifyAudit(app.db);
    expect(v.ok).toBe(true);
    expect(v.entries).toBeGreaterThan(10);
  });
});
