import { readFile, realpath, stat } from 'node:fs/promises';
import { basename, extname, isAbsolute, relative, resolve, sep } from 'node:path';
import { SkillgateError } from '../../core/errors.js';
import { parseHeading } from './chunker.js';

export type DocumentKind = 'text' | 'markdown' | 'pdf';

/** What `library.ingest` is given: inline text, or a file path (an attachment or an allowed absolute path). */
export interface DocumentInput {
  text?: string;
  /** Relative: under `$SKILLGATE_HOME/attachments`; absolute: must be inside `library.allowed_paths`. */
  path?: string;
  title?: string;
  /** Default `auto`: from the file extension / content. */
  format?: 'auto' | DocumentKind;
}

export interface LoadedDocument {
  kind: DocumentKind;
  title: string;
  /** What makes a re-ingest "the same document": `file:<real path>`, `attachment:<path>` or `title:<title>`. */
  sourceKey: string;
  /** Shown in listings: the path, or `inline`. */
  source: string;
  /** The document text, `\n` line ends. */
  text: string;
  bytes: number;
  /** PDFs: first line of each page (1-based). */
  pageStarts?: number[];
}

export interface DocumentSourceOptions {
  /** `$SKILLGATE_HOME`; attachments live in `<home>/attachments`. */
  home: string;
  allowedPaths?: readonly string[];
  maxBytes: number;
}

const EXTENSIONS: Record<string, DocumentKind> = {
  '.md': 'markdown',
  '.markdown': 'markdown',
  '.mdx': 'markdown',
  '.txt': 'text',
  '.text': 'text',
  '.log': 'text',
  '.rst': 'text',
  '.csv': 'text',
  '.pdf': 'pdf',
};

function tooLarge(bytes: number, max: number, what: string): SkillgateError {
  return new SkillgateError(
    'library.too_large',
    `${what} is ${bytes} bytes; the library accepts at most ${max}.`,
    {
      bytes,
      max_bytes: max,
    },
  );
}

async function realOrNull(p: string): Promise<string | null> {
  try {
    return await realpath(p);
  } catch {
    return null;
  }
}

function inside(path: string, root: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/**
 * Resolves a file reference safely: relative paths under the attachments folder, absolute paths only
 * inside an allowed root; symlinks and `..` are resolved first, so nothing escapes the roots.
 */
export async function resolveDocumentPath(
  path: string,
  options: DocumentSourceOptions,
): Promise<{ real: string; sourceKey: string; display: string }> {
  const attachments = resolve(options.home, 'attachments');
  const candidate = isAbsolute(path) ? path : resolve(attachments, path);
  const real = await realOrNull(candidate);
  if (!real) throw new SkillgateError('library.not_found', `No file at ${path}.`, { path });
  const attachmentsReal = await realOrNull(attachments);
  const roots: string[] = attachmentsReal ? [attachmentsReal] : [];
  for (const r of options.allowedPaths ?? []) {
    const rr = await realOrNull(resolve(r));
    if (rr) roots.push(rr);
  }
  const root = roots.find((r) => inside(real, r));
  if (!root) {
    throw new SkillgateError(
      'library.path_not_allowed',
      `${path} is outside the folders the library may read ($SKILLGATE_HOME/attachments and library.allowed_paths).`,
      { path },
    );
  }
  if (root === attachmentsReal) {
    const rel = relative(root, real).split(sep).join('/');
    return { real, sourceKey: `attachment:${rel}`, display: `attachments/${rel}` };
  }
  return { real, sourceKey: `file:${real}`, display: real };
}

function kindOfFile(file: string, head: Buffer, format: DocumentInput['format']): DocumentKind {
  if (format && format !== 'auto') return format;
  if (head.subarray(0, 5).toString('latin1') === '%PDF-') return 'pdf';
  const kind = EXTENSIONS[extname(file).toLowerCase()];
  if (!kind) {
    throw new SkillgateError(
      'library.unsupported_type',
      `${basename(file)}: unsupported file type "${extname(file) || '(none)'}"; use .txt, .md or .pdf.`,
      { file: basename(file) },
    );
  }
  return kind;
}

function looksLikeMarkdown(text: string): boolean {
  return (
    text.split('\n').some((l) => parseHeading(l) !== null) || /^\s*[-*] \S/m.test(text) || /```/.test(text)
  );
}

function defaultTitle(text: string, kind: DocumentKind): string | undefined {
  const lines = text.split('\n');
  if (kind === 'markdown') {
    const h1 = lines.map(parseHeading).find((h) => h && h.level === 1);
    if (h1) return h1.text;
  }
  const first = lines.map((l) => l.replace(/^#+\s*/, '').trim()).find((l) => l.length > 0);
  return first ? first.slice(0, 80) : undefined;
}

/** Extracts the text of each page of a PDF (unpdf: PDF.js built for servers, works offline). */
async function pdfText(data: Buffer, file: string): Promise<{ text: string; pageStarts: number[] }> {
  const { extractText } = await import('unpdf');
  let pages: string[];
  try {
    pages = (await extractText(new Uint8Array(data), { mergePages: false })).text;
  } catch (err) {
    throw new SkillgateError(
      'library.unsupported_type',
      `${file} is not a readable PDF: ${(err as Error).message}`,
      {
        file,
      },
    );
  }
  const pageStarts: number[] = [];
  let line = 1;
  const parts: string[] = [];
  for (const p of pages) {
    const t = p.replace(/\r\n?/g, '\n').trim();
    pageStarts.push(line);
    parts.push(t);
    line += t.split('\n').length + 1;
  }
  return { text: parts.join('\n\n'), pageStarts };
}

function assertText(text: string, what: string): void {
  if (text.trim().length === 0) {
    throw new SkillgateError('library.empty', `${what} has no text to index.`, {});
  }
}

/**
 * Reads a document from inline text or a file reference, enforcing the size limit, the allowed
 * roots and the supported types (`library.too_large`, `library.path_not_allowed`,
 * `library.unsupported_type`, `library.not_found`, `library.empty`).
 */
export async function loadDocument(
  input: DocumentInput,
  options: DocumentSourceOptions,
): Promise<LoadedDocument> {
  if (input.text !== undefined) {
    const bytes = Buffer.byteLength(input.text, 'utf8');
    if (bytes > options.maxBytes) throw tooLarge(bytes, options.maxBytes, 'The text');
    const text = input.text.replace(/\r\n?/g, '\n');
    assertText(text, 'The text');
    const format = input.format ?? 'auto';
    if (format === 'pdf')
      throw new SkillgateError(
        'library.unsupported_type',
        'Inline text cannot be a PDF; pass the file path.',
        {},
      );
    const kind: DocumentKind = format === 'auto' ? (looksLikeMarkdown(text) ? 'markdown' : 'text') : format;
    const title = input.title?.trim() || defaultTitle(text, kind) || 'Untitled';
    return { kind, title, sourceKey: `title:${title.toLowerCase()}`, source: 'inline', text, bytes };
  }
  if (input.path === undefined) {
    throw new SkillgateError(
      'library.empty',
      'Nothing to ingest: give the document `text` or a file `path`.',
      {},
    );
  }
  const { real, sourceKey, display } = await resolveDocumentPath(input.path, options);
  const st = await stat(real);
  if (!st.isFile())
    throw new SkillgateError('library.not_found', `${input.path} is not a file.`, { path: input.path });
  if (st.size > options.maxBytes) throw tooLarge(st.size, options.maxBytes, basename(real));
  const data = await readFile(real);
  const kind = kindOfFile(real, data, input.format);
  const name = basename(real, extname(real));
  if (kind === 'pdf') {
    const { text, pageStarts } = await pdfText(data, basename(real));
    assertText(text, `${basename(real)} (a scanned PDF has only images)`);
    return {
      kind,
      title: input.title?.trim() || name,
      sourceKey,
      source: display,
      text,
      bytes: data.length,
      pageStarts,
    };
  }
  if (data.includes(0)) {
    throw new SkillgateError('library.unsupported_type', `${basename(real)} looks binary, not text.`, {
      file: basename(real),
    });
  }
  const text = data.toString('utf8').replace(/\r\n?/g, '\n');
  assertText(text, basename(real));
  const title = input.title?.trim() || (kind === 'markdown' ? defaultTitle(text, kind) : undefined) || name;
  return { kind, title, sourceKey, source: display, text, bytes: data.length };
}
