/**
 * Permission patterns: dotted names where `*` matches exactly one segment, and a lone `*`
 * matches everything. `crm.*` grants `crm.read`; `*.read` grants `crm.read`.
 */
export function permissionMatches(pattern: string, permission: string): boolean {
  if (pattern === '*') return true;
  const p = pattern.split('.');
  const q = permission.split('.');
  if (p.length !== q.length) return false;
  return p.every((seg, i) => seg === '*' || seg === q[i]);
}

/** Skill id globs for policy overrides: `*` matches any run of characters (`crm.*`, `*.delete_*`). */
export function skillGlobMatches(glob: string, skillId: string): boolean {
  const re = new RegExp(`^${glob.split('*').map(escapeRegExp).join('.*')}$`);
  return re.test(skillId);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}
