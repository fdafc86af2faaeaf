import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { type ConfigInput, ConfigSchema } from '../../src/core/config/config-schema.js';
import { newId } from '../../src/core/ids.js';
import type { Db } from '../../src/db/db.js';
import type { ChildRunRequest, HandlerContext, RunMode } from '../../src/tools/handler.js';
import type { Skill } from '../../src/tools/skill.js';
import { parseSkillFile } from '../../src/tools/skill-loader.js';

export const SKILLS_ROOT = join(import.meta.dirname, '..', '..', 'skills');
/** The packs this suite covers. */
export const PACKS = ['crm', 'invoices', 'reports', 'ops', 'web'];

/** Every YAML file of the covered packs. */
export function catalogueFiles(): string[] {
  return PACKS.flatMap((pack) =>
    readdirSync(join(SKILLS_ROOT, pack))
      .filter((f) => /\.ya?ml$/.test(f))
      .map((f) => join(SKILLS_ROOT, pack, f)),
  );
}

const cache = new Map<string, Skill>();

/** The shipped skill `id`, loaded and compiled from its YAML file (throws on problems). */
export function loadSkill(id: string): Skill {
  const hit = cache.get(id);
  if (hit) return hit;
  for (const file of catalogueFiles()) {
    const parsed = parseSkillFile(file, readFileSync(file, 'utf8'));
    if (parsed.skill) cache.set(parsed.skill.id, parsed.skill);
  }
  const skill = cache.get(id);
  if (!skill) throw new Error(`no shipped skill ${id}`);
  return skill;
}

export interface ContextOptions {
  db: Db;
  input?: Record<string, unknown>;
  config?: ConfigInput;
  mode?: RunMode;
  tenant?: string;
  principal?: string;
  signal?: AbortSignal;
  invoke?: (req: ChildRunRequest) => Promise<never>;
}

/**
 * A real `HandlerContext` for a shipped skill, as the engine builds it: the input validated (and
 * defaulted) by the skill's compiled schema, a silent logger, a parsed config. `invoke` is not
 * available outside the engine and throws.
 */
export function skillContext(id: string, options: ContextOptions): HandlerContext {
  const skill = loadSkill(id);
  const tenant = options.tenant ?? 'default';
  return {
    skill,
    input: skill.inputSchema.parse(options.input ?? {}) as Record<string, unknown>,
    mode: options.mode ?? 'execute',
    signal: options.signal ?? new AbortController().signal,
    runId: newId('run'),
    requestId: newId('req'),
    principal: { id: options.principal ?? 'tester', tenant, roles: ['admin'] },
    tenant,
    db: options.db,
    config: ConfigSchema.parse(options.config ?? {}),
    log: pino({ level: 'silent' }),
    secret: () => undefined,
    invoke:
      options.invoke ??
      (async () => {
        throw new Error('invoke is not available in this test');
      }),
    step: () => {},
  };
}
