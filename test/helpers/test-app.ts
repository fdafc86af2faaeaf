import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CreateAppOptions, createApp, type SkillgateApp } from '../../src/core/app.js';
import { loadConfig } from '../../src/core/config/load-config.js';
import type { Principal } from '../../src/core/principal.js';
import { resolvePrincipal } from '../../src/core/principals.js';
import type { Db } from '../../src/db/db.js';
import { createTestDb } from './test-db.js';

/** Principals every test app has: local/admin, alice/operator, bob+carol/approver, vic/viewer, eve/admin of tenant "other". */
export const TEST_PRINCIPALS = {
  local: { roles: ['admin'] },
  alice: { roles: ['operator'] },
  bob: { roles: ['approver'] },
  carol: { roles: ['approver'] },
  vic: { roles: ['viewer'] },
  eve: { roles: ['admin'], tenant: 'other' },
};

export interface TestAppOptions extends Omit<CreateAppOptions, 'config' | 'db'> {
  config?: Record<string, unknown>;
  db?: Db;
}

/** A full app on a fresh template database with a temp home and the test principals. */
export async function createTestApp(
  options: TestAppOptions = {},
): Promise<SkillgateApp & { as(id: string): Principal }> {
  const home = mkdtempSync(join(tmpdir(), 'skillgate-test-'));
  const { config } = loadConfig({
    env: {},
    cwd: home,
    overrides: { home, log_level: 'silent', principals: TEST_PRINCIPALS, ...(options.config ?? {}) },
  });
  const db = options.db ?? (await createTestDb());
  const app = await createApp({
    ...options,
    config,
    db,
    migrate: options.migrate ?? false,
    seed: options.seed ?? false,
  });
  return Object.assign(app, { as: (id: string) => resolvePrincipal(config, id) });
}
