import type { DocumentKind } from './document-source.js';

/** A piece of a document as stored: its text, where it sits, and under which headings. */
export interface DocChunk {
  ord: number;
  text: string;
  /** Markdown headings enclosing the chunk's first line (`['Setup', 'Database']`); `['Page 3']` for PDFs. */
  headingPath: string[];
  /** 1-based, inclusive line range in the document's text. */
  lineFrom: number;
  lineTo: number;
}

export interface ChunkOptions {
  kind: DocumentKind;
  /** Characters per chunk (default 1000) and shared between neighbours (default 150). */
  chunkSize?: number;
  chunkOverlap?: number;
  /** PDFs: the 1-based line where each page starts (page 1 first). */
  pageStarts?: number[];
}

const HEADING = /^ {0,3}(#{1,6})[ \t]+(.+?)[ \t]*#*[ \t]*$/;
const FENCE = /^ {0,3}(```|~~~)/;

/** A markdown heading line (ATX style) outside code fences: its level and text, or null. */
export function parseHeading(line: string): { level: number; text: string } | null {
  const m = HEADING.exec(line);
  return m ? { level: m[1].length, text: m[2].replace(/[*_`]/g, '').trim() } : null;
}

/** The heading path in force at each line (index 0 = line 1); arrays are shared between lines. */
export function headingPaths(lines: readonly string[]): string[][] {
  const out: string[][] = [];
  let stack: { level: number; text: string }[] = [];
  let path: string[] = [];
  let fenced = false;
  for (const line of lines) {
    if (FENCE.test(line)) fenced = !fenced;
    const h = fenced ? null : parseHeading(line);
    if (h) {
      stack = [...stack.filter((s) => s.level < h.level), h];
      path = stack.map((s) => s.text);
    }
    out.push(path);
  }
  return out;
}

/**
 * Splits a document into overlapping chunks with `@langchain/textsplitters`: markdown-aware
 * (`MarkdownTextSplitter`, which prefers heading and paragraph boundaries) for markdown, the
 * recursive character splitter otherwise. Each chunk keeps its line range and heading path. PDFs are
 * split page by page, so a chunk never spans pages and its heading is its page.
 */
export async function chunkDocument(text: string, options: ChunkOptions): Promise<DocChunk[]> {
  const { MarkdownTextSplitter, RecursiveCharacterTextSplitter } = await import('@langchain/textsplitters');
  const fields = { chunkSize: options.chunkSize ?? 1000, chunkOverlap: options.chunkOverlap ?? 150 };
  const splitter =
    options.kind === 'markdown'
      ? new MarkdownTextSplitter(fields)
      : new RecursiveCharacterTextSplitter(fields);
  const lines = text.split('\n');
  const paths = options.kind === 'markdown' ? headingPaths(lines) : [];
  // Segments: the whole text, or one per PDF page (first line, lines).
  const starts = options.pageStarts && options.pageStarts.length > 0 ? options.pageStarts : [1];
  const chunks: DocChunk[] = [];
  for (let p = 0; p < starts.length; p++) {
    const first = starts[p];
    const last = p + 1 < starts.length ? starts[p + 1] - 1 : lines.length;
    const segment = lines.slice(first - 1, last);
    const docs = await splitter.createDocuments([segment.join('\n')]);
    for (const d of docs) {
      const chunkText = d.pageContent.trim();
      if (!chunkText) continue;
      const loc = (d.metadata.loc as { lines: { from: number; to: number } }).lines;
      const lineFrom = first - 1 + Math.max(1, Math.min(loc.from, segment.length));
      const lineTo = Math.max(lineFrom, first - 1 + Math.min(loc.to, segment.length));
      let headingPath: string[] = [];
      if (options.kind === 'markdown') headingPath = paths[lineFrom - 1] ?? [];
      else if (options.pageStarts) headingPath = [`Page ${p + 1}`];
      chunks.push({ ord: chunks.length, text: chunkText, headingPath, lineFrom, lineTo });
    }
  }
  return chunks;
}
