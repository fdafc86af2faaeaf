import { join } from 'node:path';
import { pino } from 'pino';
import { stringify } from 'yaml';
import { ConfigSchema } from '../../../src/core/config/config-schema.js';
import type { Db } from '../../../src/db/db.js';
import type { HandlerContext, StepRecord } from '../../../src/tools/handler.js';
import type { Skill } from '../../../src/tools/skill.js';
import { parseSkillFile } from '../../../src/tools/skill-loader.js';

export const HANDLER_FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'handlers');

/** A skill parsed by the real loader from a spec object (written as YAML). */
export function makeSkill(spec: Record<string, unknown>, file = join(HANDLER_FIXTURES, 'skill.yaml')): Skill {
  const full = {
    id: 'test.skill',
    version: '1.0.0',
    title: 'Test skill',
    description: 'A skill built by a test.',
    effects: 'read',
    risk: 'low',
    ...spec,
  };
  const parsed = parseSkillFile(file, stringify(full));
  if (!parsed.skill) throw new Error(parsed.problems.map((p) => p.reason).join('; '));
  return parsed.skill;
}

/** A database placeholder for handlers that must not touch one. */
const noDb = new Proxy({} as Db, {
  get(_, prop) {
    throw new Error(`this test gave the handler no database (used db.${String(prop)})`);
  },
});

export interface TestContext extends HandlerContext {
  steps: StepRecord[];
}

/** A HandlerContext built by hand: silent logger, default config, tenant `acme`, principal `alice`. */
export function makeContext(skill: Skill, overrides: Partial<HandlerContext> = {}): TestContext {
  const steps: StepRecord[] = [];
  return {
    skill,
    input: {},
    mode: 'execute',
    signal: new AbortController().signal,
    runId: 'run_test',
    requestId: 'req_test',
    principal: { id: 'alice', tenant: 'acme', roles: ['admin'] },
    tenant: 'acme',
    db: noDb,
    config: ConfigSchema.parse({}),
    log: pino({ level: 'silent' }),
    secret: () => undefined,
    invoke: async () => {
      throw new Error('this test gave the handler no invoke');
    },
    step: (record) => steps.push(record),
    ...overrides,
    steps,
  };
}

/** Runs `fn` and returns what it threw (fails the test when it does not throw). */
export async function caught(
  fn: () => Promise<unknown>,
): Promise<Error & { code?: string; details?: Record<string, unknown> }> {
  try {
    await fn();
  } catch (err) {
    return err as Error & { code?: string };
  }
  throw new Error('expected the call to throw');
}
