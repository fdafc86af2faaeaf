import { parseHeading } from './chunker.js';
import type { RetrievedChunk } from './retrieve-chunks.js';

/** A sentence of a retrieved chunk, located in its document. */
export interface Sentence {
  chunk: RetrievedChunk;
  text: string;
  /** 1-based, inclusive lines of the document the sentence spans. */
  lineFrom: number;
  lineTo: number;
  headingPath: string[];
  /** Whether it starts like a sentence (a chunk may begin mid-sentence after an overlap cut). */
  complete: boolean;
}

const FENCE = /^ {0,3}(```|~~~)/;
const LIST_ITEM = /^\s*(?:[-*+]|\d+[.)])\s+/;
const SENTENCE_END = /(?<=[.!?])\s+(?=\S)/g;

interface Paragraph {
  text: string;
  /** Start offset in `text` of each joined line, with its document line number. */
  lines: { offset: number; line: number }[];
  headingPath: string[];
}

function lineAt(p: Paragraph, offset: number): number {
  let line = p.lines[0].line;
  for (const l of p.lines) if (l.offset <= offset) line = l.line;
  return line;
}

function isTitleLike(line: string): boolean {
  return !/[.!?:;,]$/.test(line) && line.split(/\s+/).length <= 8;
}

/** Groups a chunk's lines into paragraphs (blank lines, headings, fences and list items break them). */
function paragraphsOf(chunk: RetrievedChunk): Paragraph[] {
  const out: Paragraph[] = [];
  let path = [...chunk.heading_path];
  let fenced = false;
  let current: Paragraph | null = null;
  const flush = () => {
    if (current?.text.trim()) out.push(current);
    current = null;
  };
  chunk.text.split('\n').forEach((raw, i) => {
    const line = chunk.line_from + i;
    if (FENCE.test(raw)) {
      fenced = !fenced;
      flush();
      return;
    }
    if (fenced) return;
    const h = parseHeading(raw);
    if (h) {
      flush();
      path = [...path.slice(0, h.level - 1), h.text];
      return;
    }
    const isItem = LIST_ITEM.test(raw);
    const text = raw
      .replace(LIST_ITEM, '')
      .replace(/^\s*>\s?/, '')
      .trim();
    // A short unpunctuated line followed by a capitalised one is a title (common in PDFs), not wrapped prose.
    const prev: Paragraph | null = current;
    const titleBefore =
      prev !== null && prev.lines.length === 1 && isTitleLike(prev.text) && /^\p{Lu}/u.test(text);
    if (!text || isItem || titleBefore) flush();
    if (!text) return;
    if (!current) current = { text: '', lines: [], headingPath: path };
    const p: Paragraph = current;
    if (p.text) p.text += ' ';
    p.lines.push({ offset: p.text.length, line });
    p.text += text;
  });
  flush();
  return out;
}

/** Splits retrieved chunks into located sentences (at least three words each). */
export function sentencesOf(chunk: RetrievedChunk): Sentence[] {
  const out: Sentence[] = [];
  for (const p of paragraphsOf(chunk)) {
    let start = 0;
    const ends = [...p.text.matchAll(SENTENCE_END)].map((m) => m.index ?? 0);
    for (const end of [...ends, p.text.length]) {
      const raw = p.text.slice(start, end);
      const text = raw.trim();
      const from = start + (raw.length - raw.trimStart().length);
      start = end;
      if (text.split(/\s+/).length < 3) continue;
      out.push({
        chunk,
        text,
        lineFrom: lineAt(p, from),
        lineTo: lineAt(p, from + text.length - 1),
        headingPath: p.headingPath,
        complete: /^[\p{Lu}\p{N}"'“(*`[]/u.test(text),
      });
    }
  }
  return out;
}
