import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../core/package-root.js';
import { parseRestrictionSetText, type RestrictionSet } from './restriction-set.js';

let cached: Map<string, RestrictionSet> | undefined;

/** Folder of the shipped restriction presets. */
export function presetsDir(): string {
  return join(packageRoot(), 'skills', 'code', 'restrictions');
}

/**
 * The shipped presets (`skills/code/restrictions/*.yaml`: `nasa-power-of-ten`, `embedded`,
 * `pep8-strict`), by id; loaded and validated once per process.
 */
export function restrictionPresets(): ReadonlyMap<string, RestrictionSet> {
  if (cached) return cached;
  const dir = presetsDir();
  const out = new Map<string, RestrictionSet>();
  for (const file of readdirSync(dir).sort()) {
    if (!/\.(ya?ml|json)$/.test(file)) continue;
    const set = parseRestrictionSetText(readFileSync(join(dir, file), 'utf8'), file);
    out.set(set.id, set);
  }
  cached = out;
  return out;
}
