import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReindexSummary } from '../../src/cli/commands/reindex-command.js';
import { main } from '../../src/cli/main.js';
import { PgliteDb } from '../../src/db/pglite-db.js';
import { HashEmbedder } from '../../src/memory/embedders/hash-embedder.js';
import { DocumentLibrary } from '../../src/memory/library/document-library.js';
import { recordRoutingFeedback } from '../../src/memory/routing/routing-feedback.js';
import { SemanticMemory } from '../../src/memory/semantic-memory.js';
import { MEMORY_FACTS as FACTS } from '../memory/helpers/memory-facts.js';
import {
  type CliHome,
  cleanEnv,
  cli,
  cliWith,
  createCliHome,
  SETUP_TIMEOUT,
  SLOW,
  testConfigYaml,
} from './cli-harness.js';

const VECTOR_TABLES = ['memories', 'chunks', 'skill_index', 'skill_examples', 'routing_feedback'];

/** id -> text of every vector row, and the (embedder, dims) pairs in use, per table. */
interface Snapshot {
  texts: Record<string, string[]>;
  dims: Record<string, number[]>;
  embedders: Record<string, string[]>;
}

describe('skillgate reindex', SLOW, () => {
  let h: CliHome;
  const actor = { tenant: 'default', principalId: 'local' };

  const withDb = async <T>(fn: (db: PgliteDb) => Promise<T>): Promise<T> => {
    const db = await PgliteDb.open({ dataDir: join(h.home, 'pgdata') });
    try {
      return await fn(db);
    } finally {
      await db.close();
    }
  };

  const snapshot = () =>
    withDb(async (db) => {
      const s: Snapshot = { texts: {}, dims: {}, embedders: {} };
      const textCol: Record<string, string> = {
        memories: "id || '|' || text",
        chunks: "id || '|' || text",
        skill_index: "skill_id || '|' || title",
        skill_examples: "skill_id || '|' || text",
        routing_feedback: "id || '|' || query",
      };
      for (const t of VECTOR_TABLES) {
        s.texts[t] = (
          await db.query<{ x: string }>(`SELECT ${textCol[t]} AS x FROM ${t} ORDER BY 1`)
        ).rows.map((r) => r.x);
        s.dims[t] = (
          await db.query<{ d: number }>(`SELECT DISTINCT vector_dims(embedding) AS d FROM ${t} ORDER BY 1`)
        ).rows.map((r) => r.d);
        if (t === 'memories' || t === 'chunks' || t === 'skill_index')
          s.embedders[t] = (
            await db.query<{ e: string }>(`SELECT DISTINCT embedder || '/' || dims AS e FROM ${t} ORDER BY 1`)
          ).rows.map((r) => r.e);
      }
      return s;
    });

  const useDims = (dims: number) =>
    writeFileSync(h.configFile, testConfigYaml(`embeddings: { provider: hash, dimensions: ${dims} }\n`));

  beforeAll(async () => {
    h = await createCliHome();
    // Skills get indexed by any command that opens the app; `route` does.
    expect((await cli(h, 'route', 'find customers in Berlin')).code).toBe(0);
    await withDb(async (db) => {
      const old = new HashEmbedder();
      const mem = new SemanticMemory(db, old);
      for (const [i, text] of FACTS.entries())
        await mem.remember(actor, { text, scope: i % 2 ? 'org' : 'user' });
      const lib = new DocumentLibrary(db, old, { chunkSize: 200, chunkOverlap: 20 });
      await lib.ingest('default', 'local', {
        title: 'Runbook',
        text: '# Runbook\n\n## Restarts\n\nRestart the billing service with the ops console.\n\n## Backups\n\nBackups run nightly at 2am and are kept for 30 days.\n',
      });
      for (const query of ['show me the customers', 'list clients in Paris'])
        await recordRoutingFeedback(db, old, {
          tenant: 'default',
          principal: 'local',
          query,
          routedSkill: null,
          expectedSkill: 'fixture.find_customers',
          verdict: 'wrong',
        });
    });
  }, SETUP_TIMEOUT);
  afterAll(() => h.remove());

  it('reports nothing stale while the configured embedder made every vector', async () => {
    const r = await cli(h, 'reindex', '--dry-run', '--json');
    expect(r.code).toBe(0);
    const s = r.json<ReindexSummary>();
    expect(s).toMatchObject({ embedder: 'hash-v1', dims: 384, dryRun: true });
    const stale = Object.fromEntries(s.targets.map((t) => [t.target, t.stale]));
    // Feedback rows record no embedder name: until a first reindex records it they count as stale.
    expect(stale).toEqual({ skills: 0, memories: 0, chunks: 0, routing_feedback: 2 });
  });

  it('after an embedder switch, --dry-run lists every stale row and writes nothing', async () => {
    const before = await snapshot();
    useDims(256);
    const r = await cli(h, 'reindex', '--dry-run', '--json');
    expect(r.code).toBe(0);
    const s = r.json<ReindexSummary>();
    expect(s).toMatchObject({ embedder: 'hash-v1', dims: 256, dryRun: true });
    for (const t of s.targets) {
      expect(t.total).toBeGreaterThan(0);
      expect(t.stale).toBe(t.total);
      expect(t.reindexed).toBe(0);
    }
    expect(s.targets.find((t) => t.target === 'memories')).toMatchObject({
      total: FACTS.length,
      previous: 'hash-v1/384',
    });
    expect(await snapshot()).toEqual(before);
  });

  it('stops cleanly between batches on Ctrl-C (stop signal) and resumes on the next run', async () => {
    const before = await snapshot();
    const stop = new AbortController();
    const err = new PassThrough();
    let stderr = '';
    err.on('data', (c: Buffer) => {
      stderr += c.toString('utf8');
      // Interrupt once memories have started: skills are done, memories are not.
      if (stderr.includes('memories: ')) stop.abort();
    });
    const code = await main(['--config', h.configFile, 'reindex', '--batch-size', '2'], {
      stdout: new PassThrough(),
      stderr: err,
      env: cleanEnv(h.home),
      cwd: h.dir,
      stop: stop.signal,
    });
    expect(code).toBe(1);
    expect(stderr).toContain('error embedding.reindex_interrupted');
    const mid = await snapshot();
    expect(mid.texts).toEqual(before.texts);
    expect(mid.embedders.skill_index).toEqual(['hash-v1/256']);
    expect(mid.dims.memories).toContain(384); // not finished
    expect(mid.dims.chunks).toEqual([384]);
  });

  it('re-embeds skills, memories, chunks and feedback without losing a row, with a summary', async () => {
    const before = await snapshot();
    const r = await cli(h, 'reindex', '--json');
    expect(r.code).toBe(0);
    const s = r.json<ReindexSummary>();
    expect(s.dryRun).toBe(false);
    for (const t of s.targets) expect(t.reindexed).toBe(t.stale);
    expect(s.targets.find((t) => t.target === 'chunks')).toMatchObject({ stale: before.texts.chunks.length });
    const after = await snapshot();
    expect(after.texts).toEqual(before.texts);
    for (const t of VECTOR_TABLES) expect(after.dims[t]).toEqual([256]);
    expect(after.embedders).toEqual({
      memories: ['hash-v1/256'],
      chunks: ['hash-v1/256'],
      skill_index: ['hash-v1/256'],
    });
    await withDb(async (db) => {
      const mem = new SemanticMemory(db, new HashEmbedder({ dimensions: 256 }));
      expect((await mem.recall(actor, { query: 'when does payroll run?' }))[0].text).toBe(
        'Payroll runs on the 25th of each month',
      );
      const idx = await db.query<{ relname: string }>(
        "SELECT relname FROM pg_class WHERE relkind = 'i' AND relname LIKE '%embedding_hnsw_256' ORDER BY relname",
      );
      expect(idx.rows.map((i) => i.relname)).toEqual(
        expect.arrayContaining(['chunks_embedding_hnsw_256', 'memories_embedding_hnsw_256']),
      );
    });
    const route = await cli(h, 'route', 'find customers in Berlin', '--json');
    expect(route.code).toBe(0);
    expect(route.stdout).toContain('fixture.find_customers');

    const again = await cli(h, 'reindex', '--dry-run', '--json');
    expect(again.json<ReindexSummary>().targets.every((t) => t.stale === 0)).toBe(true);
  });

  it('shows a progress bar on a terminal and a table for people', async () => {
    useDims(128);
    const r = await cliWith(h, { ttyStderr: true }, 'reindex');
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/memories +\[[█░]+\] +\d+\/12 +[\d,]+\/s +ETA/);
    expect(r.stderr).toMatch(/✓ memories +12 rows in/);
    expect(r.stdout).toMatch(/re-embedded \d+ vectors with hash-v1\/128/);
    expect(r.stdout).toMatch(/memories +12 +12 +12 +hash-v1\/256/);
  });
});
