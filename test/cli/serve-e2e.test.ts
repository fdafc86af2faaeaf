import { type ChildProcess, spawn } from 'node:child_process';
import { get } from 'node:http';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliHome, cleanEnv, cli, createCliHome, SETUP_TIMEOUT, SLOW } from './cli-harness.js';

const ROOT = resolve(import.meta.dirname, '../..');

/** GET with an explicit Host header (fetch does not let callers set it). */
function statusWithHost(url: string, host: string): Promise<number> {
  return new Promise((res, rej) => {
    get(url, { headers: { host } }, (r) => {
      r.resume();
      res(r.statusCode ?? 0);
    }).on('error', rej);
  });
}

/** Spawns `skillgate serve` from source in its own process and waits for the URL it prints. */
function spawnServe(h: CliHome): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'test/cli/run-cli-source.ts', '--config', h.configFile, 'serve', '--port', '0'],
    {
      cwd: ROOT,
      env: { ...cleanEnv(h.home), SKILLGATE_LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout!.on('data', (c) => (out += c));
  child.stderr!.on('data', (c) => (out += c));
  return new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`serve did not start:\n${out}`)), 30_000);
    child.stdout!.on('data', () => {
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        res({ child, url: m[1], output: () => out });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      rej(new Error(`serve exited with ${code}:\n${out}`));
    });
  });
}

describe('skillgate serve (a real process)', SLOW, () => {
  let h: CliHome;
  beforeAll(async () => {
    h = await createCliHome();
    expect((await cli(h, 'run', 'fixture.find_customers', 'limit=1')).code).toBe(0);
  }, SETUP_TIMEOUT);
  afterAll(() => h.remove());

  it('starts, answers /healthz, /readyz and /metrics, and stops cleanly on SIGTERM', async () => {
    const { child, url, output } = await spawnServe(h);
    try {
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const health = await fetch(`${url}/healthz`);
      expect(health.status).toBe(200);
      const ready = await fetch(`${url}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({
        status: 'ok',
        checks: { database: 'ok', migrations: 'ok' },
      });
      const metrics = await (await fetch(`${url}/metrics`)).text();
      expect(metrics).toContain('# TYPE skillgate_runs_total counter');
      expect(metrics).toMatch(/skillgate_skills_loaded [1-9]/);
      expect(await statusWithHost(`${url}/healthz`, 'attacker.example')).toBe(403);
      expect(await statusWithHost(`${url}/healthz`, 'localhost:7410')).toBe(200);
    } finally {
      child.kill('SIGTERM');
    }
    const code = await new Promise<number | null>((res) => child.once('exit', (c) => res(c)));
    expect(code).toBe(0);
    expect(output()).toContain('Skillgate stopped');
    expect(output()).not.toMatch(/\n\s+at /);
    // The embedded database was closed cleanly: the next command opens it and sees the earlier run.
    const runs = await cli(h, 'runs', 'list', '--json');
    expect(runs.code).toBe(0);
    expect(runs.json<unknown[]>().length).toBeGreaterThan(0);
  });
});
