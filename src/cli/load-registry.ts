import { resolve, sep } from 'node:path';
import { createSkillRegistry } from '../core/app.js';
import type { Config } from '../core/config/config-schema.js';
import type { SkillRegistry } from '../tools/registry.js';

export interface LoadRegistryOptions {
  /** Pack folders to load; default the shipped `skills/` plus `config.skills_dirs`. */
  dirs?: string[];
  /** Skill ids pipelines may also refer to (skills outside `dirs`). */
  extraKnownIds?: ReadonlySet<string>;
}

/**
 * A registry loaded without opening the database, wired exactly like the app's (same handler
 * factory, same pipeline validation): for `skills list|show|validate`.
 */
export function loadRegistry(config: Config, options: LoadRegistryOptions = {}): SkillRegistry {
  const registry = createSkillRegistry(config, options);
  registry.loadAll();
  return registry;
}

/** True when `file` is `dir` or inside it. */
export function isInside(file: string, dir: string): boolean {
  const f = resolve(file);
  const d = resolve(dir);
  return f === d || f.startsWith(d.endsWith(sep) ? d : d + sep);
}
