import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PgliteDb } from '../../src/db/pglite-db.js';
import { HashEmbedder } from '../../src/memory/embedders/hash-embedder.js';
import type { MemoryActor } from '../../src/memory/memory-types.js';
import { SemanticMemory } from '../../src/memory/semantic-memory.js';
import { createTestDb } from '../helpers/test-db.js';

describe('semantic memory', () => {
  let db: PgliteDb;
  let now = new Date('2026-01-01T10:00:00Z');
  let mem: SemanticMemory;
  const alice: MemoryActor = { tenant: 'acme', principalId: 'alice' };
  const bob: MemoryActor = { tenant: 'acme', principalId: 'bob' };
  const eve: MemoryActor = { tenant: 'other', principalId: 'eve' };

  beforeAll(async () => {
    db = await createTestDb();
    mem = new SemanticMemory(db, new HashEmbedder(), { clock: () => now });
  });
  afterAll(() => db.close());

  const tick = (ms: number) => {
    now = new Date(now.getTime() + ms);
  };

  it('recalls the most relevant memory first and leaves unrelated ones out', async () => {
    await mem.remember(alice, { text: 'My favourite colour is blue' });
    await mem.remember(alice, { text: 'I work from the Berlin office on Tuesdays' });
    await mem.remember(alice, { text: 'The staging cluster is rebuilt every Monday', scope: 'org' });
    const r = await mem.recall(alice, { query: 'what is my favorite color?' });
    expect(r[0].text).toBe('My favourite colour is blue');
    expect(r[0].score).toBeGreaterThan(0.5);
    expect(r.map((m) => m.text)).not.toContain('The staging cluster is rebuilt every Monday');
    const none = await mem.recall(alice, { query: 'sourdough bread recipe with rye flour' });
    expect(none).toEqual([]);
  });

  it('keeps user memories private to their principal and every memory inside its tenant', async () => {
    await mem.remember(bob, { text: 'Bob prefers email over phone calls' });
    await mem.remember(eve, { text: 'Release notes are published on Fridays', scope: 'org' });
    expect(
      (await mem.recall(alice, { query: 'does Bob prefer email or phone?' })).map((m) => m.text),
    ).toEqual([]);
    expect((await mem.recall(bob, { query: 'does Bob prefer email or phone?' }))[0].text).toBe(
      'Bob prefers email over phone calls',
    );
    // org scope is shared inside the tenant, never across tenants.
    expect((await mem.recall(bob, { query: 'when is the staging cluster rebuilt?' }))[0].scope).toBe('org');
    expect(await mem.recall(eve, { query: 'when is the staging cluster rebuilt?' })).toEqual([]);
    expect(await mem.recall(alice, { query: 'when are release notes published?' })).toEqual([]);
  });

  it('scopes session memories to their session', async () => {
    const s1 = { ...alice, sessionId: 'thread-1' };
    const s2 = { ...alice, sessionId: 'thread-2' };
    await mem.remember(s1, { text: 'We are debugging the EU payment gateway outage', scope: 'session' });
    expect((await mem.recall(s1, { query: 'which outage are we debugging?' }))[0]?.scope).toBe('session');
    expect(await mem.recall(s2, { query: 'which outage are we debugging?' })).toEqual([]);
  });

  it('overwrites a memory with the same key and scope', async () => {
    const a = await mem.remember(alice, {
      text: 'My timezone is Europe/Berlin',
      key: 'timezone',
      tags: ['profile'],
    });
    const b = await mem.remember(alice, { text: 'My timezone is America/New_York', key: 'timezone' });
    expect(a.action).toBe('created');
    expect(b).toMatchObject({ id: a.id, action: 'updated', key: 'timezone', tags: [] });
    const r = await mem.recall(alice, { query: 'what timezone am I in?' });
    expect(r.filter((m) => m.key === 'timezone').map((m) => m.text)).toEqual([
      'My timezone is America/New_York',
    ]);
    // The same key in another scope is another memory.
    const org = await mem.remember(alice, { text: 'Office timezone is UTC', key: 'timezone', scope: 'org' });
    expect(org.action).toBe('created');
  });

  it('updates a near-duplicate instead of piling up copies, merging the tags', async () => {
    const a = await mem.remember(alice, { text: 'I prefer dark mode in the editor', tags: ['ui'] });
    const b = await mem.remember(alice, { text: 'I prefer dark mode in the editor!', tags: ['editor'] });
    expect(b.action).toBe('merged');
    expect(b.id).toBe(a.id);
    expect(b.similarity).toBeGreaterThanOrEqual(0.95);
    expect(b.tags.sort()).toEqual(['editor', 'ui']);
    const count = await db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM memories WHERE text LIKE 'I prefer dark mode%'",
    );
    expect(count.rows[0].n).toBe(1);
    // A different fact is not a duplicate.
    const c = await mem.remember(alice, { text: 'I prefer light mode on my phone' });
    expect(c.action).toBe('created');
  });

  it('filters by tags and scopes and honours limit and min score', async () => {
    await mem.remember(alice, { text: 'ACME renewal is due in March', scope: 'kb', tags: ['acme', 'sales'] });
    await mem.remember(alice, {
      text: 'ACME support contract covers weekends',
      scope: 'kb',
      tags: ['acme', 'support'],
    });
    const sales = await mem.recall(alice, { query: 'ACME', tags: ['acme', 'sales'] });
    expect(sales.map((m) => m.text)).toEqual(['ACME renewal is due in March']);
    const kbOnly = await mem.recall(alice, { query: 'ACME contract and renewal', scopes: ['kb'], limit: 1 });
    expect(kbOnly).toHaveLength(1);
    expect(kbOnly[0].scope).toBe('kb');
    expect(await mem.recall(alice, { query: 'ACME', scopes: ['user'] })).toEqual([]);
    expect(await mem.recall(alice, { query: 'ACME renewal', minScore: 0.99 })).toEqual([]);
  });

  it('breaks score ties by recency', async () => {
    await mem.remember(alice, { text: 'Quarterly planning happens in the big room', scope: 'org' });
    tick(60_000);
    await mem.remember(alice, { text: 'Quarterly planning happens in the big room', scope: 'kb' });
    const r = await mem.recall(alice, { query: 'where does quarterly planning happen?', limit: 2 });
    expect(r.map((m) => m.scope)).toEqual(['kb', 'org']);
    expect(r[0].score).toBe(r[1].score);
  });

  it('never returns expired memories and purges them on a later write', async () => {
    await mem.remember(alice, { text: 'The door code this week is 4711', ttlMs: 3_600_000 });
    expect((await mem.recall(alice, { query: 'what is the door code?' }))[0]?.text).toBe(
      'The door code this week is 4711',
    );
    tick(3_600_001);
    expect(await mem.recall(alice, { query: 'what is the door code?' })).toEqual([]);
    expect(await mem.selectForget(alice, { query: 'door code' })).toEqual([]);
    const left = async () =>
      (
        await db.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM memories WHERE text LIKE 'The door code%'",
        )
      ).rows[0].n;
    expect(await left()).toBe(1);
    await mem.remember(alice, { text: 'Lunch is at noon on Fridays' });
    expect(await left()).toBe(0);
  });

  it('forgets exactly the memories its selection previews', async () => {
    await mem.remember(alice, { text: 'My home address is 12 Elm Street', tags: ['private'] });
    await mem.remember(alice, { text: 'My home address used to be 3 Oak Road', tags: ['private'] });
    await mem.remember(bob, { text: 'My home address is 9 Pine Avenue' });
    const preview = await mem.selectForget(alice, { query: 'my home address' });
    expect(preview.map((m) => m.text).sort()).toEqual([
      'My home address is 12 Elm Street',
      'My home address used to be 3 Oak Road',
    ]);
    expect(preview.every((m) => m.score >= 0.5)).toBe(true);
    const done = await mem.forget(alice, { query: 'my home address' });
    expect(done.deleted).toBe(2);
    expect(done.memories).toEqual(preview);
    expect((await mem.recall(bob, { query: 'home address' }))[0].text).toBe(
      'My home address is 9 Pine Avenue',
    );
  });

  it('forgets by key and by tags, and selects nothing without a selector', async () => {
    expect(await mem.selectForget(alice, {})).toEqual([]);
    expect((await mem.forget(alice, {})).deleted).toBe(0);
    const byKey = await mem.forget(alice, { key: 'timezone', scopes: ['user'] });
    expect(byKey.memories.map((m) => m.text)).toEqual(['My timezone is America/New_York']);
    const byTag = await mem.forget(alice, { tags: ['acme'] });
    expect(byTag.deleted).toBe(2);
    // Another tenant's memories are out of reach even by id.
    const eveMem = await mem.recall(eve, { query: 'release notes' });
    expect((await mem.forget(alice, { ids: eveMem.map((m) => m.id) })).deleted).toBe(0);
  });
});
