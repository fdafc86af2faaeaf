import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/core/config/load-config.js';
import type { SkillgateError } from '../../src/core/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'skillgate-config-'));
const write = (name: string, text: string) => {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
};
const fail = (fn: () => unknown): SkillgateError => {
  try {
    fn();
  } catch (err) {
    return err as SkillgateError;
  }
  throw new Error('expected a failure');
};

describe('configuration', () => {
  it('has working defaults with no file and no env', () => {
    const { config, file } = loadConfig({ env: {}, cwd: dir });
    expect(file).toBeUndefined();
    expect(config.server).toMatchObject({ host: '127.0.0.1', port: 7410 });
    expect(config.home).toBe(join(dir, '.skillgate'));
    expect(Object.keys(config.roles)).toEqual(
      expect.arrayContaining(['viewer', 'operator', 'admin', 'approver']),
    );
    expect(config.principals.local.roles).toEqual(['admin']);
    expect(config.approval.expires_in).toBe(86_400_000);
  });

  it('reads the file, then env overrides it', () => {
    const f = write(
      'ok.yaml',
      'server:\n  port: 9000\napproval:\n  expires_in: 2h\nprincipals:\n  alice: { roles: [operator] }\n',
    );
    const { config } = loadConfig({
      file: f,
      env: { SKILLGATE_PORT: '9100', SKILLGATE_HOME: '/var/sg' },
      cwd: dir,
    });
    expect(config.server.port).toBe(9100);
    expect(config.home).toBe('/var/sg');
    expect(config.approval.expires_in).toBe(7_200_000);
    expect(config.principals.alice.tenant).toBe('default');
  });

  it('fails with file, line, path and reason on invalid values', () => {
    const f = write('bad.yaml', 'server:\n  port: 9000\nbudgets:\n  user:\n    daily_usd: -5\n');
    const e = fail(() => loadConfig({ file: f, env: {}, cwd: dir }));
    expect(e.code).toBe('config.invalid');
    expect(e.message).toContain(`${f}:5`);
    expect(e.message).toContain('budgets.user.daily_usd');
  });

  it('sizes the embedded buffer cache and picks its wasm tier from the file or env; refuses bad sizes', () => {
    expect(loadConfig({ env: {}, cwd: dir }).config.pglite.shared_buffers).toBe('16MB');
    const f = write('buffers.yaml', 'pglite:\n  shared_buffers: 512MB\n');
    expect(loadConfig({ file: f, env: {}, cwd: dir }).config.pglite.shared_buffers).toBe('512MB');
    const env = { SKILLGATE_PGLITE_SHARED_BUFFERS: '1GB' };
    expect(loadConfig({ file: f, env, cwd: dir }).config.pglite.shared_buffers).toBe('1GB');
    expect(loadConfig({ env: {}, cwd: dir }).config.pglite.wasm_tier).toBe('baseline');
    const tier = { SKILLGATE_PGLITE_WASM_TIER: 'optimizing' };
    expect(loadConfig({ env: tier, cwd: dir }).config.pglite.wasm_tier).toBe('optimizing');
    const e = fail(() => loadConfig({ env: { SKILLGATE_PGLITE_SHARED_BUFFERS: 'lots' }, cwd: dir }));
    expect(e.code).toBe('config.invalid');
    expect(e.message).toContain('pglite.shared_buffers');
  });

  it('fails on invalid YAML with the line', () => {
    const f = write('broken.yaml', 'server:\n  port: [9000\n');
    const e = fail(() => loadConfig({ file: f, env: {}, cwd: dir }));
    expect(e.code).toBe('config.invalid');
    expect(e.message).toMatch(/broken\.yaml:\d+: invalid YAML/);
  });

  it('rejects principals with unknown roles', () => {
    const f = write('roles.yaml', 'principals:\n  zed: { roles: [wizard] }\n');
    expect(fail(() => loadConfig({ file: f, env: {}, cwd: dir })).message).toMatch(/unknown role "wizard"/);
  });

  it('rejects unknown durations', () => {
    const f = write('dur.yaml', 'idempotency_ttl: soon\n');
    expect(fail(() => loadConfig({ file: f, env: {}, cwd: dir })).message).toMatch(/idempotency_ttl/);
  });
});
