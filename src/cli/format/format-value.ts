import { stringify } from 'yaml';
import { isRowArray, renderTable } from './render-table.js';

function plain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value ?? null));
}

/** YAML of a JSON value (dates as ISO strings), without a trailing newline. */
export function toYaml(value: unknown): string {
  return stringify(plain(value), { lineWidth: 0 }).trimEnd();
}

function indent(text: string, by: string): string {
  return text
    .split('\n')
    .map((l) => (l ? by + l : l))
    .join('\n');
}

export interface FormatOptions {
  /** Terminal width for tables (see `renderTable`); default unlimited. */
  maxWidth?: number;
}

/**
 * Human-readable output of a skill: an array of rows as a table; an object as YAML, except that
 * its row-array fields are shown as tables under their key; anything else as YAML.
 */
export function formatValue(value: unknown, by = '', options: FormatOptions = {}): string {
  const table = (rows: Record<string, unknown>[], ind: string) =>
    indent(
      renderTable(rows, { maxWidth: options.maxWidth ? options.maxWidth - ind.length : undefined }),
      ind,
    );
  if (isRowArray(value)) return table(value, by);
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>);
    // `{rows: [...]}` (an sql skill's usual output) is just a table.
    if (entries.length === 1 && isRowArray(entries[0][1])) return table(entries[0][1], by);
    if (entries.some(([, v]) => isRowArray(v))) {
      const parts: string[] = [];
      for (const [k, v] of entries) {
        if (isRowArray(v)) parts.push(`${by}${k}: (${v.length} rows)\n${table(v, `${by}  `)}`);
        else parts.push(indent(toYaml({ [k]: v }), by));
      }
      return parts.join('\n');
    }
  }
  if (Array.isArray(value) && value.length === 0) return `${by}(no rows)`;
  return indent(toYaml(value), by);
}
