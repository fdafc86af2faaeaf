import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, type SkillgateApp } from '../../src/core/app.js';
import { loadConfig } from '../../src/core/config/load-config.js';
import { FIXTURE_SKILLS } from '../cli/cli-harness.js';
import { createTestDb } from '../helpers/test-db.js';

/** An app on a fresh test database with the fixture pack only, seeded with demo data. */
export async function createServerTestApp(overrides: Record<string, unknown> = {}): Promise<SkillgateApp> {
  const dir = mkdtempSync(join(tmpdir(), 'skillgate-server-'));
  const { config } = loadConfig({
    env: {},
    cwd: dir,
    overrides: { home: join(dir, 'home'), log_level: 'silent', hot_reload: false, ...overrides },
  });
  const app = await createApp({ config, db: await createTestDb(), skillDirs: [FIXTURE_SKILLS] });
  const close = app.close.bind(app);
  app.close = async () => {
    await close();
    rmSync(dir, { recursive: true, force: true });
  };
  return app;
}
