import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAudit } from '../../src/core/audit/audit-log.js';
import { OutcomeWriter } from '../../src/core/records/outcome-writer.js';
import type { RunOutcome } from '../../src/core/records/record-run-outcome.js';
import { getEvents, getRun } from '../../src/core/records/run-store.js';
import type { Db } from '../../src/db/db.js';
import { storageBackends } from '../helpers/test-db.js';

function outcome(id: string, extra: Partial<RunOutcome['run']> = {}): RunOutcome {
  const ts = new Date();
  return {
    run: {
      id,
      tenant: 't1',
      requestId: `req_${id}`,
      principal: 'alice',
      channel: 'test',
      skillId: 'demo.echo',
      skillVersion: '1.0.0',
      input: { text: `hi ${id}` },
      inputHash: 'h',
      mode: 'execute',
      status: 'succeeded',
      output: `plain text output of ${id}`,
      costUsd: 0,
      tokens: 0,
      attempts: 1,
      createdAt: ts,
      startedAt: ts,
      finishedAt: ts,
      durationMs: 1,
      ...extra,
    },
    insert: true,
    events: [
      { type: 'request_received', requestId: `req_${id}`, runId: id, tenant: 't1', ts, data: { q: "it's" } },
      { type: 'execution_result', requestId: `req_${id}`, runId: id, tenant: 't1', ts, data: { ok: true } },
    ],
    audit: {
      tenant: 't1',
      actor: 'alice',
      action: 'run.succeeded',
      target: 'demo.echo',
      runId: id,
      data: { n: 1 },
      ts,
    },
  };
}

/** The port with its statements counted (the real adapter underneath). */
function counting(db: Db): { db: Db; calls: () => number } {
  let n = 0;
  const wrapped = Object.create(db) as Db;
  wrapped.query = (sql, params) => {
    if (sql.includes('record_run_outcome')) n += 1;
    return db.query(sql, params);
  };
  return { db: wrapped, calls: () => n };
}

const { backends } = storageBackends();

describe.each(backends)('run outcomes on $name', (backend) => {
  let db: Db;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ db, close } = await backend.open());
  });
  afterAll(() => close());

  it('records the row, its events and an audit entry the chain verifies', async () => {
    const w = new OutcomeWriter(db);
    await w.write(outcome('run_a'));
    const run = await getRun(db, 'run_a');
    expect(run).toMatchObject({
      status: 'succeeded',
      output: 'plain text output of run_a',
      input: { text: 'hi run_a' },
    });
    expect(run?.finishedAt?.getTime()).toBe(run?.createdAt.getTime());
    expect((await getEvents(db, 'run_a')).map((e) => [e.type, e.data])).toEqual([
      ['request_received', { q: "it's" }],
      ['execution_result', { ok: true }],
    ]);
    expect(await verifyAudit(db)).toMatchObject({ ok: true });
  });

  it('updates only the outcome of a run that already has its row', async () => {
    const w = new OutcomeWriter(db);
    await w.write(outcome('run_b', { status: 'running', output: undefined, finishedAt: null }));
    await w.write({
      ...outcome('run_b', { status: 'failed', error: { code: 'skill.failed' }, output: undefined }),
      insert: false,
    });
    expect(await getRun(db, 'run_b')).toMatchObject({ status: 'failed', error: { code: 'skill.failed' } });
  });

  it('shares calls between concurrent outcomes and keeps one chain', async () => {
    const before = (await verifyAudit(db)).entries;
    const c = counting(db);
    const w = new OutcomeWriter(c.db);
    await Promise.all(Array.from({ length: 30 }, (_, i) => w.write(outcome(`run_c${i}`))));
    // Outcomes queued in the same tick share one statement: far fewer calls than outcomes.
    expect(c.calls()).toBeGreaterThanOrEqual(1);
    expect(c.calls()).toBeLessThanOrEqual(2);
    expect(await verifyAudit(db)).toEqual({ ok: true, entries: before + 30 });
  });

  it('fails only the bad outcome of a shared call', async () => {
    const before = (await verifyAudit(db)).entries;
    const w = new OutcomeWriter(db);
    const results = await Promise.allSettled([
      w.write(outcome('run_d0')),
      w.write(outcome('run_d1')),
      w.write(outcome('run_a')), // its row exists already: the insert conflicts
      w.write(outcome('run_d2')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    for (const id of ['run_d0', 'run_d1', 'run_d2']) expect((await getRun(db, id))?.status).toBe('succeeded');
    expect(await verifyAudit(db)).toEqual({ ok: true, entries: before + 3 });
  });
});
