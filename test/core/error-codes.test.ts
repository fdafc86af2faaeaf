import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/core/error-codes.js';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? sourceFiles(full) : full.endsWith('.ts') ? [full] : [];
  });
}

describe('error codes', () => {
  const entries = Object.entries(ERROR_CODES);

  it('are dotted lower_snake codes with unique UPPER_SNAKE ids', () => {
    for (const [code, info] of entries) {
      expect(code).toMatch(/^[a-z]+(_[a-z]+)*\.[a-z]+(_[a-z]+)*$/);
      expect(info.id).toMatch(/^[A-Z]+(_[A-Z]+)*$/);
      expect(info.id).toBe(code.replace('.', '_').toUpperCase());
      expect(info.hint.length).toBeGreaterThan(10);
    }
    expect(new Set(entries.map(([, i]) => i.id)).size).toBe(entries.length);
  });

  it('cover every code used in src/', () => {
    const src = join(import.meta.dirname, '..', '..', 'src');
    const used = new Set<string>();
    for (const file of sourceFiles(src)) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/SkillgateError\(\s*'([a-z_.]+)'/g)) used.add(m[1]);
    }
    expect(used.size).toBeGreaterThan(10);
    const unknown = [...used].filter((c) => !(c in ERROR_CODES));
    expect(unknown).toEqual([]);
  });
});
