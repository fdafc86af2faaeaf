export interface RenderTableOptions {
  /** Columns in order; default the union of the rows' keys, in first-seen order. */
  columns?: string[];
  /** Longest cell, in characters, before it is cut with `…` (default 48). */
  maxCell?: number;
  /** Terminal width: columns that do not fit are dropped (named in a last line). Default unlimited. */
  maxWidth?: number;
}

/** A cell's text: scalars as they are, dates as ISO, objects as compact JSON. */
export function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v).replace(/\s+/g, ' ');
}

/** True for a non-empty array of plain objects whose values are mostly scalars (rows). */
export function isRowArray(v: unknown): v is Record<string, unknown>[] {
  return (
    Array.isArray(v) &&
    v.length > 0 &&
    v.every((r) => r !== null && typeof r === 'object' && !Array.isArray(r) && !(r instanceof Date))
  );
}

/** A compact, left-aligned text table with an upper-case header. */
export function renderTable(rows: Record<string, unknown>[], options: RenderTableOptions = {}): string {
  const max = options.maxCell ?? 48;
  const columns = options.columns ?? [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cut = (s: string) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);
  const cells = rows.map((r) => columns.map((c) => cut(cellText(r[c]))));
  const header = columns.map((c) => c.toUpperCase());
  const widths = columns.map((_, i) => Math.max(header[i].length, ...cells.map((row) => row[i].length)));
  let shown = columns.length;
  if (options.maxWidth) {
    while (shown > 1 && widths.slice(0, shown).reduce((a, w) => a + w + 2, -2) > options.maxWidth) shown--;
  }
  const line = (row: string[]) =>
    row
      .slice(0, shown)
      .map((cell, i) => (i === shown - 1 ? cell : cell.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  const lines = [line(header), ...cells.map(line)];
  if (shown < columns.length)
    lines.push(
      `(${columns.length - shown} more column(s): ${columns.slice(shown).join(', ')}; --json shows all)`,
    );
  return lines.join('\n');
}
