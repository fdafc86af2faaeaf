import { SkillgateError } from '../../core/errors.js';
import { sha256Hex } from '../../core/hash.js';
import { type Clock, defaultIds, type IdGenerator, systemClock } from '../../core/ids.js';
import type { Db } from '../../db/db.js';
import { type Embedder, embedTexts } from '../embedders/embedder.js';
import { recordEmbedder } from '../vector/embedding-meta.js';
import { multiRowInsert } from '../vector/multi-row-insert.js';
import { formatVector } from '../vector/vector-sql.js';
import { chunkEmbeddingText, headingOf } from './chunk-text.js';
import { chunkDocument, type DocChunk } from './chunker.js';
import {
  type DocumentInput,
  type DocumentKind,
  type DocumentSourceOptions,
  type LoadedDocument,
  loadDocument,
} from './document-source.js';

export interface DocumentLibraryOptions extends Partial<DocumentSourceOptions> {
  /** Characters per chunk (default 1000) and overlap (default 150). */
  chunkSize?: number;
  chunkOverlap?: number;
  /** Texts per embedding call (default 128). */
  embedBatch?: number;
  clock?: Clock;
  ids?: IdGenerator;
}

export interface DocumentSummary {
  document_id: string;
  title: string;
  kind: DocumentKind;
  source: string;
  chunks: number;
  lines: number;
  bytes: number;
  created_at: string;
  updated_at: string;
}

export interface IngestResult {
  document_id: string;
  title: string;
  kind: DocumentKind;
  source: string;
  /** `created`, `updated` (content changed: chunks replaced) or `unchanged` (same content hash: nothing written). */
  status: 'created' | 'updated' | 'unchanged';
  chunks: number;
  lines: number;
  bytes: number;
}

interface DocumentRow {
  id: string;
  title: string;
  kind: DocumentKind;
  source: string;
  content_hash: string;
  chunk_count: number;
  line_count: number;
  bytes: number;
  created_at: Date;
  updated_at: Date;
}

const CHUNK_COLUMNS = [
  'id',
  'tenant',
  'document_id',
  'ord',
  'text',
  'heading_path',
  'heading',
  'line_from',
  'line_to',
  'embedding',
  'embedder',
  'dims',
] as const;

function summary(r: DocumentRow): DocumentSummary {
  return {
    document_id: r.id,
    title: r.title,
    kind: r.kind,
    source: r.source,
    chunks: r.chunk_count,
    lines: r.line_count,
    bytes: r.bytes,
    created_at: new Date(r.created_at).toISOString(),
    updated_at: new Date(r.updated_at).toISOString(),
  };
}

/**
 * The document library: documents and their chunks (vectors + full text), per tenant. A document
 * is identified for re-ingest by its source (file path, attachment, or title for inline text);
 * re-ingesting identical content is a no-op, changed content replaces all its chunks atomically.
 */
export class DocumentLibrary {
  private readonly source: DocumentSourceOptions;
  private readonly chunkSize: number;
  private readonly chunkOverlap: number;
  private readonly embedBatch: number;
  private readonly clock: Clock;
  private readonly ids: IdGenerator;

  constructor(
    private readonly db: Db,
    private readonly embedder: Embedder,
    options: DocumentLibraryOptions = {},
  ) {
    this.source = {
      home: options.home ?? './.skillgate',
      allowedPaths: options.allowedPaths ?? [],
      maxBytes: options.maxBytes ?? 10 * 1024 * 1024,
    };
    this.chunkSize = options.chunkSize ?? 1000;
    this.chunkOverlap = options.chunkOverlap ?? 150;
    this.embedBatch = options.embedBatch ?? 128;
    this.clock = options.clock ?? systemClock;
    this.ids = options.ids ?? defaultIds;
  }

  /** Reads and chunks a document without writing anything (the dry-run preview of ingest). */
  async prepare(
    tenant: string,
    input: DocumentInput,
  ): Promise<{ doc: LoadedDocument; hash: string; chunks: DocChunk[]; existing: DocumentRow | null }> {
    const doc = await loadDocument(input, this.source);
    const hash = sha256Hex(`${doc.kind}\n${this.chunkSize}/${this.chunkOverlap}\n${doc.title}\n${doc.text}`);
    const existing = await this.db.query<DocumentRow>(
      'SELECT * FROM documents WHERE tenant = $1 AND source_key = $2',
      [tenant, doc.sourceKey],
    );
    const chunks = await chunkDocument(doc.text, {
      kind: doc.kind,
      chunkSize: this.chunkSize,
      chunkOverlap: this.chunkOverlap,
      pageStarts: doc.pageStarts,
    });
    if (chunks.length === 0)
      throw new SkillgateError('library.empty', `${doc.title} has no text to index.`, {});
    return { doc, hash, chunks, existing: existing.rows[0] ?? null };
  }

  /** Adds or updates a document; see the class comment for the re-ingest rules. */
  async ingest(
    tenant: string,
    principalId: string,
    input: DocumentInput,
    signal?: AbortSignal,
  ): Promise<IngestResult> {
    const { doc, hash, chunks, existing } = await this.prepare(tenant, input);
    const lines = doc.text.split('\n').length;
    const base = { title: doc.title, kind: doc.kind, source: doc.source, lines, bytes: doc.bytes };
    if (existing && existing.content_hash === hash) {
      return { document_id: existing.id, ...base, status: 'unchanged', chunks: existing.chunk_count };
    }
    const vectors: Float32Array[] = [];
    for (let i = 0; i < chunks.length; i += this.embedBatch) {
      const part = chunks.slice(i, i + this.embedBatch);
      vectors.push(
        ...(await embedTexts(
          this.embedder,
          part.map((c) => chunkEmbeddingText(doc.title, c.headingPath, c.text)),
          signal,
        )),
      );
    }
    const id = existing?.id ?? this.ids('doc');
    const now = this.clock();
    await this.db.tx(async (q) => {
      if (existing) {
        await q.query('DELETE FROM chunks WHERE document_id = $1', [id]);
        await q.query(
          `UPDATE documents SET title = $2, kind = $3, source = $4, content_hash = $5, bytes = $6, line_count = $7,
             chunk_count = $8, updated_at = $9 WHERE id = $1`,
          [id, doc.title, doc.kind, doc.source, hash, doc.bytes, lines, chunks.length, now],
        );
      } else {
        await q.query(
          `INSERT INTO documents (id, tenant, source_key, title, kind, source, content_hash, bytes, line_count, chunk_count, created_by, created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)`,
          [
            id,
            tenant,
            doc.sourceKey,
            doc.title,
            doc.kind,
            doc.source,
            hash,
            doc.bytes,
            lines,
            chunks.length,
            principalId,
            now,
          ],
        );
      }
      await multiRowInsert(
        q,
        {
          table: 'chunks',
          columns: CHUNK_COLUMNS,
          casts: { heading_path: 'text[]', embedding: 'vector' },
          batchSize: 200,
        },
        chunks.map((c, i) => [
          `${id}_${c.ord}`,
          tenant,
          id,
          c.ord,
          c.text,
          c.headingPath,
          headingOf(c.headingPath),
          c.lineFrom,
          c.lineTo,
          formatVector(vectors[i]),
          this.embedder.name,
          this.embedder.dimensions,
        ]),
      );
      await recordEmbedder(q, 'chunks', this.embedder);
    });
    return { document_id: id, ...base, status: existing ? 'updated' : 'created', chunks: chunks.length };
  }

  /** The tenant's documents, most recently updated first, with totals. */
  async list(tenant: string, options: { limit?: number; query?: string } = {}) {
    const params: unknown[] = [tenant];
    let filter = '';
    if (options.query) {
      params.push(`%${options.query.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
      filter = ` AND (title ILIKE $2 OR source ILIKE $2)`;
    }
    const r = await this.db.query<DocumentRow>(
      `SELECT * FROM documents WHERE tenant = $1${filter} ORDER BY updated_at DESC, id LIMIT ${Math.min(options.limit ?? 50, 500)}`,
      params,
    );
    const totals = await this.db.query<{ documents: number; chunks: number }>(
      'SELECT count(*)::int AS documents, COALESCE(sum(chunk_count), 0)::int AS chunks FROM documents WHERE tenant = $1',
      [tenant],
    );
    return {
      documents: r.rows.map(summary),
      total_documents: totals.rows[0].documents,
      total_chunks: totals.rows[0].chunks,
    };
  }

  /** Finds a document by id, or else by exact title (case-insensitive); `library.not_found` otherwise. */
  async find(tenant: string, ref: { document_id?: string; title?: string }): Promise<DocumentSummary> {
    const r = await this.db.query<DocumentRow>(
      `SELECT * FROM documents WHERE tenant = $1 AND (id = $2 OR ($2 IS NULL AND lower(title) = lower($3)))
        ORDER BY updated_at DESC LIMIT 1`,
      [tenant, ref.document_id ?? null, ref.title ?? null],
    );
    if (!r.rows[0]) {
      const what = ref.document_id ?? ref.title ?? '(no id or title given)';
      throw new SkillgateError('library.not_found', `No document ${what} in the library.`, {
        document: what,
      });
    }
    return summary(r.rows[0]);
  }

  /** Removes a document and its chunks; returns what was removed. */
  async remove(tenant: string, ref: { document_id?: string; title?: string }): Promise<DocumentSummary> {
    const doc = await this.find(tenant, ref);
    await this.db.query('DELETE FROM documents WHERE tenant = $1 AND id = $2', [tenant, doc.document_id]);
    return doc;
  }
}
