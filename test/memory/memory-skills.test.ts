import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/core/package-root.js';
import { createTestApp } from '../helpers/test-app.js';
import { minimalPdf } from './helpers/minimal-pdf.js';

type App = Awaited<ReturnType<typeof createTestApp>>;

describe('memory and library skills through the engine', () => {
  let app: App;
  const run = (principal: string, skill: string, input: Record<string, unknown>, mode?: 'dry_run') =>
    app.engine.run({ principal: app.as(principal), channel: 'test', skill, input, mode });
  const approve = (approvalId: string) =>
    app.engine.decide({ approvalId, principal: app.as('bob'), decision: 'approve', channel: 'test' });

  beforeAll(async () => {
    app = await createTestApp({
      skillDirs: [join(packageRoot(), 'skills', 'memory'), join(packageRoot(), 'skills', 'library')],
    });
    expect(app.registry.problems()).toEqual([]);
  });
  afterAll(() => app.close());

  it('loads the seven skills with the catalogue effects and risks', () => {
    const got = Object.fromEntries(
      [
        'memory.remember',
        'memory.recall',
        'memory.forget',
        'library.ingest',
        'library.ask',
        'library.list',
        'library.remove',
      ].map((id) => {
        const s = app.registry.get(id)!.spec;
        return [id, `${s.effects}/${s.risk}/${s.examples.length >= 6 && s.examples.length <= 10}`];
      }),
    );
    expect(got).toEqual({
      'memory.remember': 'write/low/true',
      'memory.recall': 'read/low/true',
      'memory.forget': 'delete/high/true',
      'library.ingest': 'write/low/true',
      'library.ask': 'read/low/true',
      'library.list': 'read/low/true',
      'library.remove': 'delete/high/true',
    });
  });

  it('remembers and recalls per principal and tenant; a dry run writes nothing', async () => {
    const dry = await run('local', 'memory.remember', { text: 'The build server is ci-7' }, 'dry_run');
    expect(dry.status).toBe('dry_run');
    expect(dry.preview).toMatchObject({ would: 'remember', scope: 'user', text: 'The build server is ci-7' });
    expect((await run('local', 'memory.recall', { query: 'which build server?' })).output).toEqual({
      count: 0,
      memories: [],
    });

    const saved = await run('local', 'memory.remember', {
      text: 'The build server is ci-7',
      tags: ['infra'],
      ttl: '7d',
    });
    expect(saved.status).toBe('succeeded');
    expect(saved.output).toMatchObject({ action: 'created', scope: 'user', tags: ['infra'] });
    const recalled = await run('local', 'memory.recall', { query: 'which build server do we use?' });
    expect(recalled.output).toMatchObject({
      count: 1,
      memories: [{ text: 'The build server is ci-7', scope: 'user' }],
    });
    expect((await run('eve', 'memory.recall', { query: 'which build server do we use?' })).output).toEqual({
      count: 0,
      memories: [],
    });
  });

  it('asks approval to forget, previewing exactly the memories the approved run deletes', async () => {
    for (const text of [
      'Our Wi-Fi password is on the fridge',
      'The guest Wi-Fi password changes monthly',
      'Lunch is at noon',
    ]) {
      await run('local', 'memory.remember', { text, scope: 'org' });
    }
    const r = await run('local', 'memory.forget', { query: 'Wi-Fi password', scope: 'org', threshold: 0.4 });
    expect(r.status).toBe('pending_approval');
    const preview = r.preview as {
      would_delete: number;
      memories: { id: string; text: string; score: number }[];
    };
    expect(preview.memories.map((m) => m.text).sort()).toEqual([
      'Our Wi-Fi password is on the fridge',
      'The guest Wi-Fi password changes monthly',
    ]);
    const d = await approve(r.approval!.id);
    expect(d.run?.status).toBe('succeeded');
    expect(d.run?.output).toEqual({ deleted: 2, memories: preview.memories });
    const left = await app.db.query<{ text: string }>("SELECT text FROM memories WHERE scope = 'org'");
    expect(left.rows.map((m) => m.text)).toEqual(['Lunch is at noon']);
  });

  it('ingests an attachment, answers with citations, lists, and removes after approval', async () => {
    mkdirSync(join(app.config.home, 'attachments'), { recursive: true });
    writeFileSync(
      join(app.config.home, 'attachments', 'oncall.pdf'),
      minimalPdf([
        [
          'On-call',
          'The on-call engineer acknowledges pages within 15 minutes.',
          'Escalate to the team lead after 30 minutes.',
        ],
      ]),
    );
    const ing = await run('local', 'library.ingest', { path: 'oncall.pdf', title: 'On-call guide' });
    expect(ing.output).toMatchObject({ status: 'created', kind: 'pdf', title: 'On-call guide', chunks: 1 });
    const ask = await run('vic', 'library.ask', { question: 'How fast must pages be acknowledged?' });
    expect(ask.status).toBe('succeeded');
    expect(ask.output).toMatchObject({
      mode: 'extractive',
      citations: [
        {
          title: 'On-call guide',
          heading: 'Page 1',
          quote: 'The on-call engineer acknowledges pages within 15 minutes.',
        },
      ],
    });
    const list = await run('vic', 'library.list', {});
    expect(list.output).toMatchObject({ total_documents: 1, total_chunks: 1 });

    const rm = await run('local', 'library.remove', { title: 'On-call guide' });
    expect(rm.status).toBe('pending_approval');
    expect(rm.preview).toMatchObject({ would_remove: { title: 'On-call guide', chunks: 1 }, chunks: 1 });
    const d = await approve(rm.approval!.id);
    expect(d.run?.output).toMatchObject({ removed: true, document: { title: 'On-call guide' } });
    expect((await run('vic', 'library.list', {})).output).toMatchObject({
      total_documents: 0,
      documents: [],
    });
  });

  it('reports library errors with their codes', async () => {
    const r = await run('local', 'library.ingest', { path: '/etc/passwd' });
    expect(r.status).toBe('failed');
    expect(r.error?.code).toBe('library.path_not_allowed');
    const none = await run('local', 'library.remove', { document_id: 'doc_missing' });
    expect(none.error?.code).toBe('library.not_found');
  });
});
