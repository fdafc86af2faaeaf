import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PgliteDb } from '../../src/db/pglite-db.js';
import { rollbackBuiltin, runDeployBuiltin } from '../../src/tools/builtins/ops/deploy-steps.js';
import { restartServiceBuiltin } from '../../src/tools/builtins/ops/restart-service.js';
import { runCommand, safeEnv } from '../../src/tools/builtins/ops/run-command.js';
import { createTestDb } from '../helpers/test-db.js';
import { type LocalServer, localServer } from './http-fixtures.js';
import { skillContext } from './skill-context.js';

describe('ops.restart_service with real commands and hooks', () => {
  let db: PgliteDb;
  let hook: LocalServer;
  let failingHook: LocalServer;
  const cwd = mkdtempSync(join(tmpdir(), 'skillgate-ops-'));
  let config: Record<string, unknown>;

  beforeAll(async () => {
    db = await createTestDb();
    hook = await localServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end('{"restarting":true}');
    });
    failingHook = await localServer((_req, res) => {
      res.statusCode = 503;
      res.end('maintenance');
    });
    config = {
      services: {
        ok: { restart_command: ['true'] },
        broken: { restart_command: ['false'] },
        chatty: { restart_command: ['sh', '-c', 'echo hi; echo warn >&2; pwd'], cwd },
        failing: { restart_command: ['sh', '-c', 'echo starting; echo "port 8080 in use" >&2; exit 3'] },
        hung: { restart_command: ['sh', '-c', 'sleep 30'], timeout_ms: 300 },
        missing: { restart_command: ['/nonexistent/restart-me'] },
        leaky: { restart_command: ['sh', '-c', 'env'] },
        hooked: { restart_hook: `${hook.url}/restart` },
        hook_down: { restart_hook: `${failingHook.url}/restart` },
        passive: { health_url: `${hook.url}/healthz` },
      },
    };
  });
  afterAll(async () => {
    await Promise.all([hook.close(), failingHook.close()]);
    await db.close();
  });

  const restart = (service: string, extra: Record<string, unknown> = {}) =>
    restartServiceBuiltin.run(
      skillContext('ops.restart_service', { db, config, input: { service, ...extra } }),
    ) as Promise<{
      output: Record<string, unknown>;
    }>;

  it('runs the configured command and reports success for exit code 0', async () => {
    const { output } = await restart('ok', { reason: 'stuck' });
    expect(output).toMatchObject({
      service: 'ok',
      restarted: true,
      via: 'command',
      exit_code: 0,
      reason: 'stuck',
    });
  });

  it('captures stdout and stderr and runs in the configured working directory, without a shell', async () => {
    const { output } = await restart('chatty');
    expect(output.stdout).toBe(`hi\n${cwd}\n`);
    expect(output.stderr).toBe('warn\n');
  });

  it('fails with handler.command_failed, the exit code and the end of stderr on a non-zero exit', async () => {
    await expect(restart('broken')).rejects.toMatchObject({
      code: 'handler.command_failed',
      details: { exit_code: 1 },
    });
    const err = await restart('failing').catch((e) => e);
    expect(err.code).toBe('handler.command_failed');
    expect(err.details).toMatchObject({ exit_code: 3, timed_out: false, stderr_tail: 'port 8080 in use' });
    expect(err.message).toContain('exited with code 3');
  });

  it('kills a command that exceeds the service timeout', async () => {
    const started = performance.now();
    const err = await restart('hung').catch((e) => e);
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(err.code).toBe('handler.command_failed');
    expect(err.details).toMatchObject({ timed_out: true, exit_code: null, signal: 'SIGTERM' });
  });

  it('reports a command that cannot be started', async () => {
    await expect(restart('missing')).rejects.toMatchObject({
      code: 'handler.command_failed',
      message: 'Cannot start /nonexistent/restart-me: not found.',
    });
  });

  it('gives the command an environment without the server secrets', async () => {
    process.env.SKILLGATE_TEST_API_TOKEN = 'sk-very-secret-value';
    try {
      const { output } = await restart('leaky');
      expect(output.stdout).not.toContain('sk-very-secret-value');
      expect(output.stdout).toContain('SKILLGATE_SERVICE=leaky');
      expect(output.stdout).toContain('SKILLGATE_ACTION=restart');
      expect(output.stdout).toMatch(/^PATH=/m);
    } finally {
      delete process.env.SKILLGATE_TEST_API_TOKEN;
    }
  });

  it('POSTs the restart hook when no command is configured', async () => {
    const { output } = await restart('hooked');
    expect(output).toMatchObject({ via: 'hook', http_status: 200, response: '{"restarting":true}' });
    const req = hook.requests.at(-1)!;
    expect(req).toMatchObject({ method: 'POST', url: '/restart' });
    expect(JSON.parse(req.body)).toMatchObject({
      service: 'hooked',
      action: 'restart',
      requested_by: 'tester',
    });
    await expect(restart('hook_down')).rejects.toMatchObject({
      code: 'handler.http_failed',
      details: { status: 503 },
    });
  });

  it('previews exactly the command or the hook request, without running it', async () => {
    const before = hook.requests.length;
    const cmd = await restartServiceBuiltin.preview!(
      skillContext('ops.restart_service', { db, config, input: { service: 'chatty' } }),
    );
    expect(cmd).toMatchObject({
      action: 'restart',
      would_run: {
        kind: 'command',
        command: ['sh', '-c', 'echo hi; echo warn >&2; pwd'],
        cwd,
        timeout_ms: 30_000,
      },
      summary: `Run \`sh -c echo hi; echo warn >&2; pwd\` in ${cwd} (timeout 30000 ms)`,
    });
    const h = await restartServiceBuiltin.preview!(
      skillContext('ops.restart_service', { db, config, input: { service: 'hooked' } }),
    );
    expect(h).toMatchObject({ would_run: { kind: 'hook', method: 'POST', url: `${hook.url}/restart` } });
    expect(hook.requests.length).toBe(before);
  });

  it('refuses unknown services and services without a restart command or hook', async () => {
    await expect(restart('nope')).rejects.toMatchObject({
      code: 'ops.service_unknown',
      message: expect.stringContaining('chatty'),
    });
    await expect(restart('passive')).rejects.toMatchObject({ code: 'ops.service_not_configured' });
    await expect(
      restartServiceBuiltin.preview!(
        skillContext('ops.restart_service', { db, config, input: { service: 'passive' } }),
      ),
    ).rejects.toMatchObject({ code: 'ops.service_not_configured' });
  });

  it('passes version and environment to deploy commands; rollback without configuration is a no-op', async () => {
    const deployConfig = {
      services: {
        app: { deploy_command: ['sh', '-c', 'echo "$SKILLGATE_VERSION to $SKILLGATE_ENVIRONMENT"'] },
      },
    };
    const out = await runDeployBuiltin.run(
      skillContext('ops.run_deploy', {
        db,
        config: deployConfig,
        input: { service: 'app', version: '2.4.1', environment: 'staging' },
      }),
    );
    expect(out).toMatchObject({ output: { deployed: true, stdout: '2.4.1 to staging\n', version: '2.4.1' } });
    const rb = await rollbackBuiltin.run(
      skillContext('ops.rollback', { db, config: deployConfig, input: { service: 'app' } }),
    );
    expect(rb).toMatchObject({ output: { rolled_back: false } });
  });
});

describe('runCommand', () => {
  it('keeps only the tail of large output and says it was truncated', async () => {
    const r = await runCommand({
      argv: ['sh', '-c', 'i=0; while [ $i -lt 2000 ]; do echo line-$i; i=$((i+1)); done'],
      timeoutMs: 5_000,
      maxOutputBytes: 100,
    });
    expect(r.exitCode).toBe(0);
    expect(r.truncated).toBe(true);
    expect(Buffer.byteLength(r.stdout)).toBe(100);
    expect(r.stdout.endsWith('line-1999\n')).toBe(true);
  });

  it('kills the whole process group on timeout, children included', async () => {
    const r = await runCommand({ argv: ['sh', '-c', 'sleep 30 & sleep 30; wait'], timeoutMs: 200 });
    expect(r).toMatchObject({ timedOut: true, exitCode: null });
    expect(r.durationMs).toBeLessThan(3_000);
  });

  it('stops when the abort signal fires', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    const r = await runCommand({ argv: ['sleep', '30'], timeoutMs: 10_000, signal: ac.signal });
    expect(r.signal).toBe('SIGTERM');
    expect(r.timedOut).toBe(false);
  });

  it('builds a safe environment from an allow-list', () => {
    const env = safeEnv(
      { EXTRA: '1' },
      { PATH: '/bin', HOME: '/h', LC_ALL: 'C', AWS_SECRET_ACCESS_KEY: 'x', DATABASE_URL: 'y' },
    );
    expect(env).toEqual({ PATH: '/bin', HOME: '/h', LC_ALL: 'C', EXTRA: '1' });
  });
});
