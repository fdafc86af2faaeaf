import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentAsk } from '../../src/bots/ask-seam.js';
import { CHAT_USERS, createChatTestApp, type TestApp } from './chat-harness.js';

describe('idempotent agent asks from chat', () => {
  let app: TestApp;
  let fx: Awaited<ReturnType<typeof createChatTestApp>>['fx'];

  beforeAll(async () => {
    ({ app, fx } = await createChatTestApp('slack', CHAT_USERS));
  });
  afterAll(() => app?.close());

  const agentRuns = async (key: string) =>
    (
      await app.db.query<{ id: string }>('SELECT id FROM agent_runs WHERE idempotency_key = $1', [key])
    ).rows.map((r) => r.id);
  const stepKeys = async (agentRunId: string) =>
    (
      await app.db.query<{ key: string; scope: string }>(
        `SELECT k.key, k.scope FROM idempotency_keys k JOIN runs r ON r.id = k.run_id WHERE r.request_id = $1`,
        [agentRunId],
      )
    ).rows;

  it('returns the first agent run for the same ask delivered twice, executing its skill once', async () => {
    const ask = agentAsk(app);
    const req = {
      query: 'write a note',
      input: { note: 'idem-1' },
      principal: app.as('alice'),
      channel: 'slack' as const,
      idempotencyKey: 'slack:ev:EvIdem1',
    };
    const first = await ask(req);
    const again = await ask(req);
    if (first.kind !== 'agent' || again.kind !== 'agent') throw new Error('expected agent outcomes');
    expect(first.result.status).toBe('succeeded');
    expect(first.result.replayed).toBeUndefined();
    expect(again.result).toMatchObject({ id: first.result.id, status: 'succeeded', replayed: true });
    expect(again.result.steps.map((s) => s.runId)).toEqual(first.result.steps.map((s) => s.runId));
    expect(await agentRuns('slack:ev:EvIdem1')).toEqual([first.result.id]);
    expect(fx.notes.filter((n) => n === 'idem-1')).toHaveLength(1);
    // Each engine run of the agent carries a key derived from the ask's, scoped to the principal.
    expect(await stepKeys(first.result.id)).toEqual([
      { key: 'slack:ev:EvIdem1:step:1:s1:1', scope: 'alice' },
    ]);
  });

  it('lets a concurrent duplicate wait for the first ask and return its run', async () => {
    const ask = agentAsk(app);
    const req = {
      query: 'write a note',
      input: { note: 'idem-2' },
      principal: app.as('alice'),
      channel: 'slack' as const,
      idempotencyKey: 'slack:ev:EvIdem2',
    };
    const [a, b] = await Promise.all([ask(req), ask(req)]);
    if (a.kind !== 'agent' || b.kind !== 'agent') throw new Error('expected agent outcomes');
    expect(b.result.id).toBe(a.result.id);
    expect([a.result.replayed, b.result.replayed]).toEqual([undefined, true]);
    expect(await agentRuns('slack:ev:EvIdem2')).toHaveLength(1);
    expect(fx.notes.filter((n) => n === 'idem-2')).toHaveLength(1);
  });

  it('never executes a step twice even when the first agent run is gone: the step key replays the engine run', async () => {
    const ask = agentAsk(app);
    const req = {
      query: 'write a note',
      input: { note: 'idem-3' },
      principal: app.as('alice'),
      channel: 'slack' as const,
      idempotencyKey: 'slack:ev:EvIdem3',
    };
    const first = await ask(req);
    if (first.kind !== 'agent') throw new Error('expected an agent outcome');
    const firstRun = first.result.steps[0]!.runId;
    // Another process without the first agent run's row (deleted, or never seen) plans again...
    await app.db.query('DELETE FROM agent_runs WHERE id = $1', [first.result.id]);
    const again = await ask(req);
    if (again.kind !== 'agent') throw new Error('expected an agent outcome');
    expect(again.result.id).not.toBe(first.result.id);
    expect(again.result.status).toBe('succeeded');
    // ...but its step's engine run is the first one, replayed: the note was written once.
    expect(again.result.steps.map((s) => s.runId)).toEqual([firstRun]);
    expect(fx.notes.filter((n) => n === 'idem-3')).toHaveLength(1);
  });

  it('refuses the same key for another request, and keys are per principal', async () => {
    const ask = agentAsk(app);
    const base = {
      principal: app.as('alice'),
      channel: 'slack' as const,
      idempotencyKey: 'slack:ev:EvIdem4',
    };
    await ask({ ...base, query: 'echo hello', input: { text: 'one' } });
    await expect(ask({ ...base, query: 'echo hello', input: { text: 'two' } })).rejects.toMatchObject({
      code: 'idempotency.key_reused',
    });
    const other = await ask({
      ...base,
      principal: app.as('local'),
      query: 'echo hello',
      input: { text: 'two' },
    });
    if (other.kind !== 'agent') throw new Error('expected an agent outcome');
    expect(other.result.replayed).toBeUndefined();
    expect(other.result.status).toBe('succeeded');
    expect(await agentRuns('slack:ev:EvIdem4')).toHaveLength(2);
  });
});
