import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { starterConfig } from '../../src/cli/starter-config.js';
import { loadConfig } from '../../src/core/config/load-config.js';
import { type CliHome, cli, createCliHome, SLOW } from './cli-harness.js';

describe('skillgate init', SLOW, () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('ships a starter config that loads, with the documented principals, policies and services', () => {
    const dir = mkdtempSync(join(tmpdir(), 'skillgate-starter-'));
    dirs.push(dir);
    const file = join(dir, 'skillgate.config.yaml');
    writeFileSync(file, starterConfig({ port: 7410 }));
    const { config } = loadConfig({ file, env: {}, cwd: dir });
    expect(config.principals.local.roles).toEqual(['admin']);
    expect(config.principals.alice.roles).toEqual(['operator']);
    expect(config.principals.bob.roles).toEqual(['approver']);
    expect(config.policies.length).toBeGreaterThan(0);
    expect(config.services.skillgate.health_url).toBe('http://127.0.0.1:7410/healthz');
    expect(config.services.skillgate.restart_command?.[0]).toBe('node');
    expect(config.budgets.tenant.daily_usd).toBeGreaterThan(0);
    expect(config.approval.expires_in).toBe(24 * 3_600_000);
    // Secrets are referenced by env var name only.
    expect(readFileSync(file, 'utf8')).not.toMatch(/^\s*(password|token|api_key)\s*:/im);
  });

  it('writes a loadable config, creates the home, migrates and seeds; refuses to overwrite without --force', async () => {
    const h: CliHome = await createCliHome();
    dirs.push(h.dir);
    const target = join(h.dir, 'project');
    const home = join(h.dir, 'fresh-home');
    // Start from the migrated template data (a brand-new embedded cluster takes seconds to create).
    cpSync(join(h.home, 'pgdata'), join(home, 'pgdata'), { recursive: true });
    const inHome: CliHome = { ...h, home, configFile: join(target, 'skillgate.config.yaml') };
    const run = (...args: string[]) => cli({ ...inHome, configFile: '' }, ...args);

    const r = await run('--home', home, 'init', '--path', target, '--port', '7999');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const file = inHome.configFile;
    expect(existsSync(file)).toBe(true);
    expect(r.stdout).toContain(`wrote ${file}`);
    expect(r.stdout).toMatch(/demo data [1-9]\d* customers, [1-9]\d* invoices/);
    expect(r.stdout).toContain('next steps:');
    const { config } = loadConfig({ file, env: { SKILLGATE_HOME: home }, cwd: h.dir });
    expect(config.server.port).toBe(7999);
    expect(config.home).toBe(home);

    const again = await run('init', '--path', target);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already exists; use --force');
    const forced = await run('init', '--path', target, '--force');
    expect(forced.code).toBe(0);

    const skills = await cli(inHome, 'skills', 'list', '--json');
    expect(skills.code).toBe(0);
  });
});
