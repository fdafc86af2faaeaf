import type { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SkillgateApp } from '../../src/core/app.js';
import { SkillgateError } from '../../src/core/errors.js';
import { resolvePrincipal } from '../../src/core/principals.js';
import { createHttpApp, type SkillgateHttpApp } from '../../src/server/http-app.js';
import { createServerTestApp } from './server-harness.js';

interface ErrorJson {
  error: { code: string; id: string; message: string; hint: string };
}
interface ReadyJson {
  status: string;
  checks: Record<string, string>;
  failed?: string[];
}
const errorOf = async (res: Response) => ((await res.json()) as ErrorJson).error;
const readyOf = async (res: Response) => (await res.json()) as ReadyJson;

describe('HTTP app', () => {
  let app: SkillgateApp;
  let http: SkillgateHttpApp;

  beforeAll(async () => {
    app = await createServerTestApp();
    http = createHttpApp(app, {
      bodyLimitBytes: 1024,
      mounts: [
        (hono: Hono) => {
          hono.post('/test/echo', async (c) => c.json({ size: (await c.req.text()).length }));
          hono.get('/test/budget', () => {
            throw new SkillgateError('budget.exceeded', 'Budget exceeded: the daily cap is $1.', {
              cap: 'daily',
            });
          });
          hono.get('/test/crash', () => {
            throw new Error('db password is hunter2');
          });
        },
      ],
    });
  });
  afterAll(async () => {
    await http.close();
    await app.close();
  });

  it('answers /healthz', async () => {
    const res = await http.request('/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('answers /readyz 200 when the database, migrations and skills are ready', async () => {
    const res = await http.request('/readyz');
    expect(res.status).toBe(200);
    const body = await readyOf(res);
    expect(body.status).toBe('ok');
    expect(body.checks).toMatchObject({ database: 'ok', migrations: 'ok', skills: '4 loaded' });
  });

  it('refuses a foreign Host header with 403 (DNS-rebinding protection)', async () => {
    const res = await http.request('/healthz', { headers: { host: 'evil.example:7410' } });
    expect(res.status).toBe(403);
    const error = await errorOf(res);
    expect(error.code).toBe('request.host_not_allowed');
    expect(error.message).toContain('evil.example');
    for (const host of ['127.0.0.1:7410', 'localhost', '[::1]:7410']) {
      expect((await http.request('/healthz', { headers: { host } })).status).toBe(200);
    }
  });

  it('refuses a body over the limit with 413', async () => {
    const ok = await http.request('/test/echo', { method: 'POST', body: 'x'.repeat(1000) });
    expect(ok.status).toBe(200);
    const res = await http.request('/test/echo', { method: 'POST', body: 'x'.repeat(5000) });
    expect(res.status).toBe(413);
    expect((await errorOf(res)).code).toBe('request.too_large');
  });

  it('maps a SkillgateError to its HTTP status and {error: {code, id, message, hint}}', async () => {
    const res = await http.request('/test/budget');
    expect(res.status).toBe(402);
    const error = await errorOf(res);
    expect(error).toMatchObject({
      code: 'budget.exceeded',
      id: 'BUDGET_EXCEEDED',
      message: 'Budget exceeded: the daily cap is $1.',
    });
    expect(error.hint).toMatch(/\S/);
  });

  it('answers an unexpected error with 500 internal.error and no internals', async () => {
    const res = await http.request('/test/crash');
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(JSON.parse(text).error.code).toBe('internal.error');
    expect(text).not.toContain('hunter2');
    expect(text).not.toMatch(/at .*\.ts:\d+/);
  });

  it('answers unknown routes with 404 request.not_found', async () => {
    const res = await http.request('/nope');
    expect(res.status).toBe(404);
    expect((await errorOf(res)).code).toBe('request.not_found');
  });

  it('exposes Prometheus metrics fed by engine events', async () => {
    const local = resolvePrincipal(app.config, 'local');
    await app.engine.run({
      principal: local,
      channel: 'test',
      skill: 'fixture.find_customers',
      input: { limit: 1 },
    });
    await app.engine.run({
      principal: local,
      channel: 'test',
      skill: 'fixture.find_customers',
      input: { limit: 0 },
    });
    const pending = await app.engine.run({
      principal: local,
      channel: 'test',
      skill: 'fixture.delete_customers',
      input: { city: 'Nowhere' },
    });
    expect(pending.status).toBe('pending_approval');
    const res = await http.request('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toMatch(/skillgate_runs_total\{skill="fixture.find_customers",status="succeeded"\} 1/);
    expect(text).toMatch(/skillgate_runs_total\{skill="fixture.find_customers",status="rejected"\} 1/);
    expect(text).toMatch(/skillgate_run_duration_seconds_count\{skill="fixture.find_customers"\} 1/);
    expect(text).toMatch(/skillgate_approvals_total\{event="requested"\} 1/);
    expect(text).toMatch(/skillgate_skills_loaded 4/);
    expect(text).toContain('# TYPE skillgate_budget_used_usd gauge');
    expect(text).toContain('process_resident_memory_bytes');
  });
});

describe('readiness', () => {
  it('answers /readyz 503 naming the failed check when the database is closed', async () => {
    const app = await createServerTestApp();
    const http = createHttpApp(app, { metrics: undefined });
    await app.db.close();
    const res = await http.request('/readyz');
    expect(res.status).toBe(503);
    const body = await readyOf(res);
    expect(body.status).toBe('unavailable');
    expect(body.failed).toEqual(['database', 'migrations']);
    expect(body.checks.database).toMatch(/^database unreachable/);
    expect((await http.request('/healthz')).status).toBe(200);
    await http.close();
    await app.registry.close();
  });

  it('answers /readyz 503 when no skill is loaded; closing the HTTP app disposes of its mounts', async () => {
    const app = await createServerTestApp();
    for (const s of app.registry.list()) app.registry.applyFiles([], [s.file]);
    let disposed = 0;
    const http = createHttpApp(app, {
      mounts: [
        (hono) => {
          hono.get('/mounted', (c) => c.text('here'));
          return () => {
            disposed++;
          };
        },
      ],
    });
    const res = await http.request('/readyz');
    expect(res.status).toBe(503);
    expect((await readyOf(res)).failed).toEqual(['skills']);
    expect(await (await http.request('/mounted')).text()).toBe('here');
    expect((await http.request('/mounted', { headers: { host: 'evil.example' } })).status).toBe(403);
    await http.close();
    expect(disposed).toBe(1);
    await app.close();
  });
});
