// `node:fs` plus `globSync(pattern, {cwd})` for Node 20: supports `*`, `?` and `**` path segments,
// returns paths relative to `cwd` (what the conformance package uses it for: `**/checks.json`).
import fs from 'node:fs';
import path from 'node:path';

export * from 'node:fs';
export default fs;

function segmentRegExp(segment) {
  const body = segment
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '[^/]*')
    .replace(/\?/g, '[^/]');
  return new RegExp(`^${body}$`);
}

function walk(dir, rel, parts, out) {
  if (parts.length === 0) {
    out.push(rel);
    return;
  }
  const [head, ...rest] = parts;
  let entries;
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  if (head === '**') {
    walk(dir, rel, rest, out);
    for (const e of entries) {
      if (e.isDirectory()) walk(path.join(dir, e.name), rel ? `${rel}/${e.name}` : e.name, parts, out);
    }
    return;
  }
  const re = segmentRegExp(head);
  for (const e of entries) {
    if (!re.test(e.name)) continue;
    if (rest.length > 0 && !e.isDirectory()) continue;
    walk(path.join(dir, e.name), rel ? `${rel}/${e.name}` : e.name, rest, out);
  }
}

export function globSync(pattern, options = {}) {
  const patterns = Array.isArray(pattern) ? pattern : [pattern];
  const cwd = options.cwd ? String(options.cwd) : process.cwd();
  const out = [];
  for (const p of patterns) walk(cwd, '', p.split('/').filter(Boolean), out);
  return [...new Set(out)];
}
