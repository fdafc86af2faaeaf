/**
 * A SQL `LIKE` pattern (escape `\`) for a skill-id glob: `*` matches anything, every other
 * character literally (`crm.*` -> `crm.%`, `a_b` -> `a\_b`).
 */
export function globToLike(glob: string): string {
  return glob.replace(/[\\%_]/g, (c) => `\\${c}`).replace(/\*/g, '%');
}
