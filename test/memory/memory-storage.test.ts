import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/db.js';
import { HashEmbedder } from '../../src/memory/embedders/hash-embedder.js';
import { answerQuestion } from '../../src/memory/library/answer-question.js';
import { DocumentLibrary } from '../../src/memory/library/document-library.js';
import { SemanticMemory } from '../../src/memory/semantic-memory.js';
import { BUILTIN_TARGETS } from '../../src/memory/vector/builtin-targets.js';
import { detectEmbedderChange } from '../../src/memory/vector/embedding-meta.js';
import { reindex } from '../../src/memory/vector/reindex.js';
import { storageBackends } from '../helpers/test-db.js';

const { backends, skipped } = storageBackends();

describe.each(backends)('memory storage on $name', (backend) => {
  let db: Db;
  let close: () => Promise<void>;
  const embedder = new HashEmbedder();
  const actor = { tenant: 't1', principalId: 'alice' };

  beforeAll(async () => {
    ({ db, close } = await backend.open());
  });
  afterAll(() => close());

  it('remembers, dedupes, recalls with tags and forgets the previewed selection', async () => {
    const mem = new SemanticMemory(db, embedder);
    const a = await mem.remember(actor, { text: 'The VPN gateway is in Frankfurt', tags: ['infra'] });
    // The latest write of a near-duplicate wins: its text and its expiry.
    const b = await mem.remember(actor, { text: 'the VPN gateway is in Frankfurt.', ttlMs: 86_400_000 });
    expect(b).toMatchObject({ id: a.id, action: 'merged', tags: ['infra'] });
    await mem.remember(actor, { text: 'Payroll runs on the 25th', scope: 'org' });
    const r = await mem.recall(actor, { query: 'where is the VPN gateway?', tags: ['infra'] });
    expect(r.map((m) => m.text)).toEqual(['the VPN gateway is in Frankfurt.']);
    expect(r[0].expires_at).not.toBeNull();
    const preview = await mem.selectForget(actor, { query: 'VPN gateway location' });
    expect((await mem.forget(actor, { query: 'VPN gateway location' })).memories).toEqual(preview);
    expect(preview).toHaveLength(1);
  });

  it('ingests, answers with citations and reindexes', async () => {
    const lib = new DocumentLibrary(db, embedder);
    await lib.ingest('t1', 'alice', {
      text: '# Ops\n\n## Backups\n\nBackups run nightly and are kept for 30 days.\n',
    });
    const a = await answerQuestion(db, embedder, 't1', 'How long are backups kept?');
    expect(a.citations[0]).toMatchObject({ heading: 'Ops > Backups', lines: [5, 5] });
    const next = new HashEmbedder({ dimensions: 128 });
    expect((await detectEmbedderChange(db, next, BUILTIN_TARGETS)).changed).toBe(true);
    await reindex(db, next);
    expect((await detectEmbedderChange(db, next, BUILTIN_TARGETS)).changed).toBe(false);
    const b = await answerQuestion(db, next, 't1', 'How long are backups kept?');
    expect(b.citations[0].quote).toBe('Backups run nightly and are kept for 30 days.');
  });
});

describe('memory storage backends', () => {
  it('reports skipped backends', () => {
    if (skipped.length) console.info(`memory storage suite skipped: ${skipped.join('; ')}`);
    expect(backends.length).toBeGreaterThanOrEqual(2);
  });
});
