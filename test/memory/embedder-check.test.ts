import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PgliteDb } from '../../src/db/pglite-db.js';
import { HashEmbedder } from '../../src/memory/embedders/hash-embedder.js';
import { recordRoutingFeedback } from '../../src/memory/routing/routing-feedback.js';
import { SemanticMemory } from '../../src/memory/semantic-memory.js';
import { checkEmbedder } from '../../src/memory/vector/embedder-check.js';
import { reindex } from '../../src/memory/vector/reindex.js';
import { countStaleSkills, routingFeedbackTarget } from '../../src/memory/vector/routing-targets.js';
import { createTestDb } from '../helpers/test-db.js';

describe('embedder check at start', () => {
  let db: PgliteDb;
  const old = new HashEmbedder();
  const next = new HashEmbedder({ dimensions: 192 });
  const actor = { tenant: 'acme', principalId: 'alice' };

  beforeAll(async () => {
    db = await createTestDb();
    const mem = new SemanticMemory(db, old);
    for (const text of [
      'The VPN gateway is in Frankfurt',
      'Payroll runs on the 25th',
      'Interns start in May',
    ])
      await mem.remember(actor, { text, scope: 'org' });
    await db.exec(`INSERT INTO skill_index (skill_id, source_hash, title, description, embedder, dims, embedding, fts)
      VALUES ('a.one', 'h1', 'One', 'first', 'hash-v1', 384, array_fill(0.1, ARRAY[384])::vector, ''),
             ('a.two', 'h2', 'Two', 'second', 'hash-v1', 192, array_fill(0.1, ARRAY[192])::vector, '')`);
    await recordRoutingFeedback(db, old, {
      tenant: 'acme',
      principal: 'alice',
      query: 'show the customers',
      expectedSkill: 'a.one',
      verdict: 'wrong',
    });
  });
  afterAll(() => db.close());

  it('says nothing when the configured embedder made the memories', async () => {
    const c = await checkEmbedder(db, old);
    expect(c.stale).toMatchObject({ memories: 0, chunks: 0 });
    // One skill row was written at another size: that alone is a change.
    expect(c.stale.skills).toBe(1);
    expect(c.changed).toBe(true);
    await db.query(`DELETE FROM skill_index WHERE skill_id = 'a.two'`);
    const clean = await checkEmbedder(db, old);
    expect(clean).toMatchObject({
      changed: false,
      message: null,
      stale: { memories: 0, chunks: 0, skills: 0 },
    });
  });

  it('names the stale rows, the old embedder and the command to run after a switch', async () => {
    const c = await checkEmbedder(db, next);
    expect(c.changed).toBe(true);
    expect(c.stale).toEqual({ memories: 3, chunks: 0, skills: 1 });
    expect(c.previous).toEqual([{ embedder: 'hash-v1', dims: 384 }]);
    expect(c.message).toBe(
      'The configured embedder hash-v1/192 did not make the stored vectors of 3 memories, 1 skills ' +
        '(from hash-v1/384); search skips them until `skillgate reindex` re-embeds them.',
    );
  });

  it('rebuilds routing feedback vectors and then counts them as current', async () => {
    const e = { embedder: next.name, dims: next.dimensions };
    expect(await routingFeedbackTarget.countPending(db, e)).toBe(1);
    const r = await reindex(db, next, { targets: [routingFeedbackTarget] });
    expect(r.targets).toEqual([{ target: 'routing_feedback', rows: 1, indexRebuilt: false }]);
    const row = await db.query<{ dims: number; d: number }>(
      'SELECT dims, vector_dims(embedding) AS d FROM routing_feedback',
    );
    expect(row.rows).toEqual([{ dims: 192, d: 192 }]);
    expect(await routingFeedbackTarget.countPending(db, e)).toBe(0);
    // Switching back: every row is stale again (the record names the other embedder).
    expect(await routingFeedbackTarget.countPending(db, { embedder: old.name, dims: 384 })).toBe(1);
    expect(await countStaleSkills(db, e)).toBe(1);
  });
});
