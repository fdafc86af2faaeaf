import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PgliteDb } from '../../src/db/pglite-db.js';
import { HashEmbedder } from '../../src/memory/embedders/hash-embedder.js';
import { answerQuestion, NOTHING_FOUND } from '../../src/memory/library/answer-question.js';
import { DocumentLibrary } from '../../src/memory/library/document-library.js';
import { createTestDb } from '../helpers/test-db.js';
import { minimalPdf } from './helpers/minimal-pdf.js';

const HANDBOOK = `# Employee Handbook

Welcome to the company. This handbook explains how we work.

## Leave

### Parental leave

Parents get 16 weeks of paid parental leave.
Leave can be split into two blocks within the first year.

### Sick leave

Report sick days to your manager before 10am.

## Expenses

Submit expenses within 30 days through the finance portal.
Receipts are required for anything above 25 euros.
`;

describe('document library', () => {
  let db: PgliteDb;
  let home: string;
  let outside: string;
  let lib: DocumentLibrary;
  const embedder = new HashEmbedder();
  const lines = HANDBOOK.split('\n');

  beforeAll(async () => {
    db = await createTestDb();
    home = mkdtempSync(join(tmpdir(), 'skillgate-lib-'));
    outside = mkdtempSync(join(tmpdir(), 'skillgate-outside-'));
    mkdirSync(join(home, 'attachments'), { recursive: true });
    lib = new DocumentLibrary(db, embedder, { home, maxBytes: 200_000, chunkSize: 200, chunkOverlap: 40 });
  });
  afterAll(() => db.close());

  it('chunks markdown keeping heading paths and line ranges', async () => {
    const r = await lib.ingest('acme', 'alice', { text: HANDBOOK });
    expect(r).toMatchObject({ status: 'created', title: 'Employee Handbook', kind: 'markdown' });
    expect(r.chunks).toBeGreaterThan(2);
    const chunks = await db.query<{
      text: string;
      heading_path: string[];
      line_from: number;
      line_to: number;
    }>('SELECT text, heading_path, line_from, line_to FROM chunks WHERE document_id = $1 ORDER BY ord', [
      r.document_id,
    ]);
    for (const c of chunks.rows) {
      // The chunk text is exactly the document's lines in its range.
      expect(
        lines
          .slice(c.line_from - 1, c.line_to)
          .join('\n')
          .trim(),
      ).toBe(c.text);
    }
    const sick = chunks.rows.find((c) => c.text.includes('Report sick days'));
    expect(sick?.heading_path.slice(0, 2)).toEqual(['Employee Handbook', 'Leave']);
    const expenses = chunks.rows.find((c) => c.text.startsWith('## Expenses'));
    expect(expenses?.heading_path).toEqual(['Employee Handbook', 'Expenses']);
  });

  it('does nothing when the same document is ingested again, and replaces its chunks when it changed', async () => {
    const again = await lib.ingest('acme', 'alice', { text: HANDBOOK });
    expect(again.status).toBe('unchanged');
    const changed = HANDBOOK.replace('16 weeks', '20 weeks');
    const upd = await lib.ingest('acme', 'alice', { text: changed });
    expect(upd).toMatchObject({ status: 'updated', document_id: again.document_id });
    const texts = await db.query<{ text: string }>('SELECT text FROM chunks WHERE document_id = $1', [
      upd.document_id,
    ]);
    expect(texts.rows.some((c) => c.text.includes('20 weeks'))).toBe(true);
    expect(texts.rows.some((c) => c.text.includes('16 weeks'))).toBe(false);
    expect(texts.rows).toHaveLength(upd.chunks);
    await lib.ingest('acme', 'alice', { text: HANDBOOK });
  });

  it('answers with the supporting sentences, each cited with heading, lines and quote', async () => {
    const a = await answerQuestion(db, embedder, 'acme', 'How many weeks of parental leave do parents get?');
    expect(a.mode).toBe('extractive');
    expect(a.answer).toContain('Parents get 16 weeks of paid parental leave.');
    const c = a.citations[0];
    expect(c).toMatchObject({
      title: 'Employee Handbook',
      heading: 'Employee Handbook > Leave > Parental leave',
    });
    expect(c.quote).toBe('Parents get 16 weeks of paid parental leave.');
    expect(lines[c.lines[0] - 1]).toBe(c.quote);
    expect(a.confidence).toBeGreaterThan(0.5);
    const e = await answerQuestion(db, embedder, 'acme', 'Do I need receipts for expenses?');
    expect(e.citations[0].quote).toBe('Receipts are required for anything above 25 euros.');
    expect(e.citations[0].heading).toBe('Employee Handbook > Expenses');
  });

  it('says so, with no citations, when nothing relevant is in the library or the tenant', async () => {
    const a = await answerQuestion(db, embedder, 'acme', 'What is the capital of Australia?');
    expect(a).toEqual({ answer: NOTHING_FOUND, citations: [], confidence: 0, mode: 'none' });
    const other = await answerQuestion(
      db,
      embedder,
      'other-tenant',
      'How many weeks of parental leave do parents get?',
    );
    expect(other.citations).toEqual([]);
  });

  it('uses a generator when given one, citing only retrieved passages', async () => {
    const a = await answerQuestion(db, embedder, 'acme', 'How long is parental leave?', {
      generate: async ({ passages }) => {
        const hit = passages.find((p) => p.text.includes('16 weeks'));
        return { answer: 'Sixteen weeks, paid.', cited: [hit?.index ?? 0, 99] };
      },
    });
    expect(a.mode).toBe('generated');
    expect(a.answer).toBe('Sixteen weeks, paid.');
    expect(a.citations).toHaveLength(1);
    expect(a.citations[0].quote).toContain('16 weeks');
    const uncited = await answerQuestion(db, embedder, 'acme', 'How long is parental leave?', {
      generate: async () => ({ answer: 'Probably a year.', cited: [] }),
    });
    expect(uncited.mode).toBe('extractive');
  });

  it('ingests a PDF attachment with page headings', async () => {
    const pdf = minimalPdf([
      ['Refund policy', 'Customers may request a refund within 30 days of purchase.'],
      ['Shipping', 'Orders ship within two business days from our Leipzig warehouse.'],
    ]);
    writeFileSync(join(home, 'attachments', 'policies.pdf'), pdf);
    const r = await lib.ingest('acme', 'alice', { path: 'policies.pdf' });
    expect(r).toMatchObject({
      status: 'created',
      kind: 'pdf',
      title: 'policies',
      source: 'attachments/policies.pdf',
    });
    const a = await answerQuestion(db, embedder, 'acme', 'Where do orders ship from?');
    expect(a.citations[0]).toMatchObject({ title: 'policies', heading: 'Page 2' });
    expect(a.citations[0].quote).toContain('Leipzig warehouse');
  });

  it('refuses files outside the allowed folders, unsupported types, empty and oversized documents', async () => {
    writeFileSync(join(outside, 'secret.txt'), 'top secret');
    symlinkSync(join(outside, 'secret.txt'), join(home, 'attachments', 'link.txt'));
    await expect(lib.ingest('acme', 'alice', { path: join(outside, 'secret.txt') })).rejects.toMatchObject({
      code: 'library.path_not_allowed',
    });
    await expect(lib.ingest('acme', 'alice', { path: '../../etc/passwd' })).rejects.toMatchObject({
      code: expect.stringMatching(/library\.(path_not_allowed|not_found)/),
    });
    await expect(lib.ingest('acme', 'alice', { path: 'link.txt' })).rejects.toMatchObject({
      code: 'library.path_not_allowed',
    });
    const allowed = new DocumentLibrary(db, embedder, { home, allowedPaths: [outside], maxBytes: 200_000 });
    expect((await allowed.ingest('acme', 'alice', { path: join(outside, 'secret.txt') })).status).toBe(
      'created',
    );

    writeFileSync(join(home, 'attachments', 'photo.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    await expect(lib.ingest('acme', 'alice', { path: 'photo.png' })).rejects.toMatchObject({
      code: 'library.unsupported_type',
    });
    await expect(lib.ingest('acme', 'alice', { path: 'missing.md' })).rejects.toMatchObject({
      code: 'library.not_found',
    });
    await expect(lib.ingest('acme', 'alice', { text: '  \n\n ' })).rejects.toMatchObject({
      code: 'library.empty',
    });
    await expect(lib.ingest('acme', 'alice', { text: 'x'.repeat(200_001) })).rejects.toMatchObject({
      code: 'library.too_large',
    });
  });

  it('lists documents with counts and removes a document with its chunks', async () => {
    const list = await lib.list('acme');
    expect(list.total_documents).toBe(list.documents.length);
    expect(list.total_chunks).toBe(list.documents.reduce((s, d) => s + d.chunks, 0));
    expect(list.documents.map((d) => d.title)).toContain('Employee Handbook');
    expect((await lib.list('acme', { query: 'polic' })).documents.map((d) => d.title)).toEqual(['policies']);
    const doc = await lib.find('acme', { title: 'employee handbook' });
    const removed = await lib.remove('acme', { document_id: doc.document_id });
    expect(removed.chunks).toBe(doc.chunks);
    const left = await db.query('SELECT 1 FROM chunks WHERE document_id = $1', [doc.document_id]);
    expect(left.rows).toEqual([]);
    await expect(lib.remove('acme', { document_id: doc.document_id })).rejects.toMatchObject({
      code: 'library.not_found',
    });
    await expect(lib.find('other-tenant', { title: 'policies' })).rejects.toMatchObject({
      code: 'library.not_found',
    });
  });
});
