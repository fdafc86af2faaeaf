/**
 * A value shortened for a prompt: arrays keep their first items (with a note of how many more),
 * long strings are cut, and the whole is cut at `maxChars` of JSON. Returns the JSON text.
 */
export function truncateJson(value: unknown, maxChars = 4000): string {
  const shrink = (v: unknown, depth: number): unknown => {
    if (typeof v === 'string') return v.length > 500 ? `${v.slice(0, 500)}… (${v.length} chars)` : v;
    if (Array.isArray(v)) {
      const head = v.slice(0, 10).map((x) => shrink(x, depth + 1));
      return v.length > 10 ? [...head, `… ${v.length - 10} more`] : head;
    }
    if (v && typeof v === 'object') {
      if (depth > 5) return '{…}';
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, shrink(x, depth + 1)]));
    }
    return v;
  };
  const text = JSON.stringify(shrink(value, 0), null, 1) ?? 'null';
  return text.length > maxChars ? `${text.slice(0, maxChars)}… (cut)` : text;
}
