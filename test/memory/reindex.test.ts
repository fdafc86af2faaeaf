import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PgliteDb } from '../../src/db/pglite-db.js';
import type { Embedder } from '../../src/memory/embedders/embedder.js';
import { HashEmbedder } from '../../src/memory/embedders/hash-embedder.js';
import { answerQuestion } from '../../src/memory/library/answer-question.js';
import { DocumentLibrary } from '../../src/memory/library/document-library.js';
import { SemanticMemory } from '../../src/memory/semantic-memory.js';
import { BUILTIN_TARGETS } from '../../src/memory/vector/builtin-targets.js';
import { detectEmbedderChange } from '../../src/memory/vector/embedding-meta.js';
import { type ReindexProgress, reindex } from '../../src/memory/vector/reindex.js';
import type { VectorTarget } from '../../src/memory/vector/vector-target.js';
import { createTestDb } from '../helpers/test-db.js';
import { MEMORY_FACTS as FACTS } from './helpers/memory-facts.js';

describe('embedder switch and reindex', () => {
  let db: PgliteDb;
  const oldEmbedder = new HashEmbedder();
  const newEmbedder = new HashEmbedder({ dimensions: 256 });
  const actor = { tenant: 'acme', principalId: 'alice' };

  const count = async (sql: string) => (await db.query<{ n: number }>(sql)).rows[0].n;

  beforeAll(async () => {
    db = await createTestDb();
    const mem = new SemanticMemory(db, oldEmbedder);
    for (const [i, text] of FACTS.entries())
      await mem.remember(actor, { text, scope: i % 2 ? 'org' : 'user' });
    const lib = new DocumentLibrary(db, oldEmbedder, { chunkSize: 200, chunkOverlap: 20 });
    await lib.ingest('acme', 'alice', {
      title: 'Runbook',
      text: '# Runbook\n\n## Restarts\n\nRestart the billing service with the ops console.\n\n## Backups\n\nBackups run nightly at 2am and are kept for 30 days.\n',
    });
  });
  afterAll(() => db.close());

  it('sees no change while the configured embedder made every vector', async () => {
    const c = await detectEmbedderChange(db, oldEmbedder, BUILTIN_TARGETS);
    expect(c.changed).toBe(false);
    expect(c.targets.map((t) => t.stored)).toEqual([
      { embedder: 'hash-v1', dims: 384 },
      { embedder: 'hash-v1', dims: 384 },
    ]);
  });

  it('detects a switch, then re-embeds every row without losing any, with progress', async () => {
    const memories = await count('SELECT count(*)::int AS n FROM memories');
    const chunks = await count('SELECT count(*)::int AS n FROM chunks');
    const change = await detectEmbedderChange(db, newEmbedder, BUILTIN_TARGETS);
    expect(change.changed).toBe(true);
    expect(change.targets.map((t) => t.staleRows)).toEqual([memories, chunks]);

    const progress: ReindexProgress[] = [];
    // An embedder that reads the table every time reindex asks it for a batch: rows stay readable.
    const seenRows: number[] = [];
    const probing: Embedder = {
      name: newEmbedder.name,
      dimensions: newEmbedder.dimensions,
      embed: async (texts) => {
        seenRows.push(await count('SELECT count(*)::int AS n FROM memories'));
        return newEmbedder.embed(texts);
      },
    };
    const r = await reindex(db, probing, {
      batchSize: 5,
      deferIndexAbove: 10,
      onProgress: (p) => progress.push(p),
    });
    expect(seenRows.length).toBeGreaterThan(3);
    expect(new Set(seenRows)).toEqual(new Set([memories]));
    expect(await count('SELECT count(*)::int AS n FROM memories')).toBe(memories);
    expect(await count('SELECT count(*)::int AS n FROM chunks')).toBe(chunks);
    expect(
      await count(`SELECT count(*)::int AS n FROM memories WHERE embedder <> 'hash-v1' OR dims <> 256`),
    ).toBe(0);
    expect(await count(`SELECT count(*)::int AS n FROM chunks WHERE dims <> 256`)).toBe(0);
    expect(r.targets).toEqual([
      { target: 'memories', rows: memories, indexRebuilt: true },
      { target: 'chunks', rows: chunks, indexRebuilt: false },
    ]);
    const mem = progress.filter((p) => p.target === 'memories' && p.phase === 'embedding').map((p) => p.done);
    expect(mem).toEqual([0, 5, 10, 12]);
    expect(progress.at(-1)).toMatchObject({ target: 'chunks', phase: 'done', done: chunks, total: chunks });

    const meta = await db.query('SELECT target, embedder, dims FROM embedding_meta ORDER BY target');
    expect(meta.rows).toEqual([
      { target: 'chunks', embedder: 'hash-v1', dims: 256 },
      { target: 'memories', embedder: 'hash-v1', dims: 256 },
    ]);
    const idx = await db.query<{ relname: string }>(
      "SELECT relname FROM pg_class WHERE relkind = 'i' AND relname LIKE '%embedding_hnsw_256' ORDER BY relname",
    );
    expect(idx.rows.map((i) => i.relname)).toEqual([
      'chunks_embedding_hnsw_256',
      'memories_embedding_hnsw_256',
    ]);
    expect((await detectEmbedderChange(db, newEmbedder, BUILTIN_TARGETS)).changed).toBe(false);
  });

  it('searches with the new embedder after the reindex', async () => {
    const mem = new SemanticMemory(db, newEmbedder);
    expect((await mem.recall(actor, { query: 'when does payroll run?' }))[0].text).toBe(
      'Payroll runs on the 25th of each month',
    );
    const a = await answerQuestion(db, newEmbedder, 'acme', 'How long are backups kept?');
    expect(a.citations[0].quote).toBe('Backups run nightly at 2am and are kept for 30 days.');
  });

  it('resumes after an interruption and rebuilds targets the router registers', async () => {
    await db.exec(
      `CREATE TABLE probe_vectors (id text PRIMARY KEY, body text NOT NULL, embedding vector, embedder text, dims int)`,
    );
    await db.exec(
      `INSERT INTO probe_vectors (id, body) SELECT 'p' || lpad(g::text, 3, '0'), 'probe text ' || g FROM generate_series(1, 9) g`,
    );
    const probe: VectorTarget = {
      target: 'probe',
      table: 'probe_vectors',
      countPending: async (q, e) =>
        (
          await q.query<{ n: number }>(
            'SELECT count(*)::int AS n FROM probe_vectors WHERE embedder IS DISTINCT FROM $1 OR dims IS DISTINCT FROM $2',
            [e.embedder, e.dims],
          )
        ).rows[0].n,
      pending: async (q, p) =>
        (
          await q.query<{ id: string; text: string }>(
            `SELECT id, body AS text FROM probe_vectors WHERE (embedder IS DISTINCT FROM $1 OR dims IS DISTINCT FROM $2)
              AND ($3::text IS NULL OR id > $3) ORDER BY id LIMIT $4`,
            [p.embedder, p.dims, p.afterId, p.limit],
          )
        ).rows,
    };
    const ac = new AbortController();
    await expect(
      reindex(db, oldEmbedder, {
        targets: [probe],
        batchSize: 4,
        onProgress: (p) => {
          if (p.done >= 4) ac.abort();
        },
        signal: ac.signal,
      }),
    ).rejects.toThrow();
    expect(await count(`SELECT count(*)::int AS n FROM probe_vectors WHERE embedder IS NOT NULL`)).toBe(4);
    const r = await reindex(db, oldEmbedder, { targets: [probe], batchSize: 4 });
    expect(r.targets[0].rows).toBe(5);
    expect(await count(`SELECT count(*)::int AS n FROM probe_vectors WHERE dims = 384`)).toBe(9);
    expect(
      (await db.query('SELECT embedder, dims FROM embedding_meta WHERE target = $1', ['probe'])).rows,
    ).toEqual([{ embedder: 'hash-v1', dims: 384 }]);
  });
});
