import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAudit } from '../../src/core/audit/audit-log.js';
import { getEvents, getRun } from '../../src/core/records/run-store.js';
import { RUNNING_ROW_GRACE_MS } from '../../src/core/run-row-writer.js';
import type { Db } from '../../src/db/db.js';
import { mergeBuiltins } from '../../src/tools/builtins/builtin-registry.js';
import type { HandlerContext } from '../../src/tools/handler.js';
import { createTestApp } from '../helpers/test-app.js';
import { storageBackends } from '../helpers/test-db.js';

const skill = (id: string, effects: string, handler: string) => `id: ${id}
version: 1.0.0
title: ${id}
description: A handler the test holds open until it releases it.
input: { type: object, properties: { key: { type: string } }, required: [key] }
effects: ${effects}
risk: low
approval: { mode: never }
handler: { type: builtin, name: ${handler} }
`;

/** Handlers that block until the test calls `release(key)`, and tell when they have started. */
function gatedBuiltins() {
  const gates = new Map<string, () => void>();
  const started = new Map<string, () => void>();
  const startedP = new Map<string, Promise<void>>();
  const startedOf = (key: string) => {
    if (!startedP.has(key)) startedP.set(key, new Promise<void>((r) => started.set(key, r)));
    return startedP.get(key)!;
  };
  const run = async (ctx: HandlerContext) => {
    const key = String(ctx.input.key);
    startedOf(key);
    started.get(key)!();
    if (key.startsWith('fast')) return { output: { key } };
    await new Promise<void>((r) => gates.set(key, r));
    if (key.startsWith('step')) ctx.step({ stepId: 's1', skillId: ctx.skill.id, status: 'succeeded' });
    return { output: { key } };
  };
  return {
    builtins: mergeBuiltins({ 'gate.read': { run }, 'gate.write': { run } }),
    started: startedOf,
    release: (key: string) => gates.get(key)?.(),
  };
}

const status = async (db: Db, id: string) =>
  (await db.query<{ status: string }>('SELECT status FROM runs WHERE id = $1', [id])).rows[0]?.status;

/** The run id of the newest run for `key` (while it is in flight the engine has not returned it). */
const runIdOf = async (db: Db, key: string) =>
  (
    await db.query<{ id: string }>(`SELECT id FROM runs WHERE input->>'key' = $1 ORDER BY created_at DESC`, [
      key,
    ])
  ).rows[0]?.id;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const { backends } = storageBackends();

describe.each(backends)('run rows and audit entries on $name', (backend) => {
  let app: Awaited<ReturnType<typeof createTestApp>>;
  let close: () => Promise<void>;
  let gate: ReturnType<typeof gatedBuiltins>;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'skillgate-rows-'));
    writeFileSync(join(dir, 'read.yaml'), skill('gate.read', 'read', 'gate.read'));
    writeFileSync(join(dir, 'write.yaml'), skill('gate.write', 'write', 'gate.write'));
    const opened = await backend.open();
    close = opened.close;
    gate = gatedBuiltins();
    app = await createTestApp({ db: opened.db, builtins: gate.builtins, skillDirs: [dir], migrate: true });
    expect(app.registry.problems()).toEqual([]);
  });
  afterAll(async () => {
    await app.registry.close();
    await close();
  });

  const run = (skillId: string, key: string) =>
    app.engine.run({ principal: app.as('local'), channel: 'test', skill: skillId, input: { key } });

  it('records a fast read once, in its final state, with its events and audit entry', async () => {
    const r = await run('gate.read', 'fast-1');
    expect(r.status).toBe('succeeded');
    const rec = await getRun(app.db, r.runId);
    expect(rec).toMatchObject({ status: 'succeeded', output: { key: 'fast-1' }, attempts: 1 });
    expect(rec?.startedAt).toBeInstanceOf(Date);
    expect((await getEvents(app.db, r.runId)).map((e) => e.type)).toContain('execution_result');
    const audit = await app.db.query<{ action: string }>('SELECT action FROM audit_log WHERE run_id = $1', [
      r.runId,
    ]);
    expect(audit.rows.map((a) => a.action)).toEqual(['run.succeeded']);
  });

  it('shows a slow read as running once the grace period has passed', async () => {
    const p = run('gate.read', 'slow-1');
    await gate.started('slow-1');
    await sleep(RUNNING_ROW_GRACE_MS * 3);
    const id = await runIdOf(app.db, 'slow-1');
    expect(id).toBeDefined();
    expect(await status(app.db, id!)).toBe('running');
    gate.release('slow-1');
    const r = await p;
    expect(r.runId).toBe(id);
    expect(await status(app.db, id!)).toBe('succeeded');
  });

  it('writes the running row of a skill with effects before its handler starts', async () => {
    const p = run('gate.write', 'write-1');
    await gate.started('write-1');
    const id = await runIdOf(app.db, 'write-1');
    expect(id).toBeDefined();
    expect(await status(app.db, id!)).toBe('running');
    gate.release('write-1');
    expect((await p).status).toBe('succeeded');
    expect(await status(app.db, id!)).toBe('succeeded');
  });

  it('writes the row of a read that records a step before the step row needs it', async () => {
    const p = run('gate.read', 'step-1');
    await gate.started('step-1');
    gate.release('step-1'); // released inside the grace period: the step forces the row
    const r = await p;
    expect(r.status).toBe('succeeded');
    const rec = await getRun(app.db, r.runId);
    expect(rec?.status).toBe('succeeded');
    expect(rec?.steps?.map((s) => s.stepId)).toEqual(['s1']);
  });

  it('keeps one verifiable audit chain under 40 concurrent runs of both kinds', async () => {
    const before = (await verifyAudit(app.db)).entries;
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => {
        const key = `fast-c${i}`;
        return run(i % 2 ? 'gate.read' : 'gate.write', key);
      }),
    );
    expect(results.every((r) => r.status === 'succeeded')).toBe(true);
    // Rejected runs take the same one-statement path: unknown input is refused and audited.
    const bad = await app.engine.run({
      principal: app.as('local'),
      channel: 'test',
      skill: 'gate.read',
      input: {},
    });
    expect(bad.status).toBe('rejected');
    expect(await verifyAudit(app.db)).toEqual({ ok: true, entries: before + 41 });
    const audit = await app.db.query<{ n: number }>(
      'SELECT count(DISTINCT run_id)::int AS n FROM audit_log WHERE run_id = ANY($1)',
      [[...results.map((r) => r.runId), bad.runId]],
    );
    expect(audit.rows[0].n).toBe(41);
  });
});
