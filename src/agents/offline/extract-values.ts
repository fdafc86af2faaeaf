/** A value found in a request, with where it is and the words just before and after it. */
export interface Found<T = string> {
  value: T;
  start: number;
  end: number;
  /** Up to three lower-case words before the value. */
  before: string[];
  /** Up to two lower-case words after the value. */
  after: string[];
}

/** Tracks which characters of a text are already used by a value, so nothing is used twice. */
export class Spans {
  private readonly used: [number, number][] = [];

  overlaps(start: number, end: number): boolean {
    return this.used.some(([s, e]) => start < e && end > s);
  }

  take(start: number, end: number): void {
    this.used.push([start, end]);
  }
}

function wordsBefore(text: string, at: number, n = 3): string[] {
  return (
    text
      .slice(Math.max(0, at - 60), at)
      .toLowerCase()
      .match(/[\p{L}\p{N}_#<>=$€£-]+/gu)
      ?.slice(-n) ?? []
  );
}

function wordsAfter(text: string, at: number, n = 2): string[] {
  return (
    text
      .slice(at, at + 40)
      .toLowerCase()
      .match(/[\p{L}\p{N}_-]+/gu)
      ?.slice(0, n) ?? []
  );
}

/** All matches of `re` not overlapping used spans; takes their spans. */
export function scan(text: string, re: RegExp, spans: Spans, group = 0): Found[] {
  const out: Found[] = [];
  for (const m of text.matchAll(re)) {
    const start = m.index ?? 0;
    const end = start + m[0].length;
    if (spans.overlaps(start, end)) continue;
    spans.take(start, end);
    out.push({
      value: m[group] ?? m[0],
      start,
      end,
      before: wordsBefore(text, start),
      after: wordsAfter(text, end),
    });
  }
  return out;
}

export const KEY_VALUE = /\b([a-z_][a-z0-9_]*)=("([^"]*)"|'([^']*)'|(\S+))/g;
export const QUOTED = /"([^"]{1,4000})"|“([^”]{1,4000})”|(?<![\p{L}])'([^']{2,4000})'(?![\p{L}])/gu;
export const URL = /\bhttps?:\/\/[^\s<>"')]+[^\s<>"').,;:!?]/g;
export const EMAIL = /\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b/g;
export const ISO_DATE = /\b\d{4}-\d{2}-\d{2}\b/g;
export const RELATIVE_DATE = /\b(today|yesterday|tomorrow)\b/gi;
/** Numbers with optional thousands separators and decimals: 1,000 / 1 000 / 12.5 / #1007. */
export const NUMBER =
  /(?<![\p{L}\p{N}.])#?(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?![\p{L}\p{N}]|\.\d)/gu;

export function quotedValue(f: Found, m: RegExpMatchArray | undefined): string {
  return m ? (m[1] ?? m[2] ?? m[3] ?? f.value) : f.value;
}

/** A relative day name as YYYY-MM-DD (UTC). */
export function relativeDate(word: string, today: Date): string {
  const d = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate()));
  const w = word.toLowerCase();
  if (w === 'yesterday') d.setUTCDate(d.getUTCDate() - 1);
  if (w === 'tomorrow') d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

export function parseNumber(text: string): number {
  return Number(text.replace(/^#/, '').replace(/,/g, ''));
}

/** Singular of a simple English plural (`invoices` -> `invoice`, `entries` -> `entry`). */
export function singular(word: string): string {
  if (/ies$/.test(word)) return word.slice(0, -3) + 'y';
  if (/(s|x|ch|sh)es$/.test(word)) return word.slice(0, -2);
  if (/s$/.test(word) && !/ss$/.test(word)) return word.slice(0, -1);
  return word;
}

/** Sequences of capitalised words (proper names) not overlapping used spans, e.g. "Jane Doe". */
export function properNames(text: string, spans: Spans): Found[] {
  const re = /(?<![\p{L}\p{N}])(\p{Lu}[\p{L}'’.-]*(?:\s+(?:de|van|von|y|&)?\s*\p{Lu}[\p{L}'’.-]*)*)/gu;
  const out: Found[] = [];
  for (const m of text.matchAll(re)) {
    const start = m.index ?? 0;
    const end = start + m[0].length;
    if (spans.overlaps(start, end)) continue;
    // The first word of a sentence is capitalised anyway: skip a single word there.
    const sentenceStart = /^\s*$|[.!?:]\s*$/.test(text.slice(0, start));
    if (sentenceStart && !m[0].includes(' ')) continue;
    out.push({
      value: m[0].replace(/['’]s$/, ''),
      start,
      end,
      before: wordsBefore(text, start),
      after: wordsAfter(text, end),
    });
  }
  return out;
}
