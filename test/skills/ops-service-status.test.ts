import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PgliteDb } from '../../src/db/pglite-db.js';
import { verifyHealthBuiltin } from '../../src/tools/builtins/ops/deploy-steps.js';
import { serviceStatus } from '../../src/tools/builtins/ops/service-status.js';
import { createTestDb, freePort } from '../helpers/test-db.js';
import { type LocalServer, localServer } from './http-fixtures.js';
import { skillContext } from './skill-context.js';

describe('ops.service_status against real HTTP servers on 127.0.0.1', () => {
  let db: PgliteDb;
  let up: LocalServer;
  let broken: LocalServer;
  let slow: LocalServer;
  let closedPort: number;
  let inflight = 0;
  let maxInflight = 0;
  let config: Record<string, unknown>;

  beforeAll(async () => {
    db = await createTestDb();
    up = await localServer((_req, res) => res.end('ok'));
    broken = await localServer((_req, res) => {
      res.statusCode = 500;
      res.end('boom');
    });
    slow = await localServer((_req, res) => {
      inflight += 1;
      maxInflight = Math.max(maxInflight, inflight);
      res.on('close', () => {
        inflight -= 1;
      });
      setTimeout(() => res.end('late'), 2_000);
    });
    closedPort = await freePort();
    config = {
      services: {
        api: { health_url: `${up.url}/healthz` },
        billing: { health_url: `${broken.url}/healthz` },
        search: { health_url: `http://127.0.0.1:${closedPort}/healthz` },
        reports: { health_url: `${slow.url}/healthz` },
        exports: { health_url: `${slow.url}/health` },
        worker: { description: 'no health endpoint' },
      },
    };
  });
  afterAll(async () => {
    await Promise.all([up.close(), broken.close(), slow.close()]);
    await db.close();
  });

  it('checks every service in parallel: up, 500, not listening, too slow, no health URL', async () => {
    const out = await serviceStatus(
      skillContext('ops.service_status', { db, config, input: { timeout_ms: 500 } }),
    );
    const by = Object.fromEntries(out.services.map((s) => [s.service, s]));
    expect(by.api).toMatchObject({ status: 'up', http_status: 200, error: null });
    expect(by.api.latency_ms).toEqual(expect.any(Number));
    expect(by.billing).toMatchObject({ status: 'down', http_status: 500, error: 'HTTP 500' });
    expect(by.search).toMatchObject({ status: 'unreachable', http_status: null });
    expect(by.search.error).toMatch(/ECONNREFUSED/);
    expect(by.reports).toMatchObject({ status: 'unreachable', error: 'no answer within 500 ms' });
    expect(by.exports).toMatchObject({ status: 'unreachable', error: 'no answer within 500 ms' });
    expect(by.worker).toMatchObject({ status: 'unchecked', url: null });
    expect(out.summary).toEqual({ up: 1, down: 1, unreachable: 3, unchecked: 1 });
    expect(out.all_up).toBe(false);
    // In parallel: both slow health checks were in flight at the same time.
    expect(maxInflight).toBe(2);
    expect(up.requests.at(-1)).toMatchObject({ method: 'GET', url: '/healthz' });
  });

  it('checks only the named service', async () => {
    const before = broken.requests.length;
    const out = await serviceStatus(
      skillContext('ops.service_status', { db, config, input: { service: 'api' } }),
    );
    expect(out.services.map((s) => s.service)).toEqual(['api']);
    expect(out.all_up).toBe(true);
    expect(broken.requests.length).toBe(before);
  });

  it('answers an unknown service with the list of known ones', async () => {
    await expect(
      serviceStatus(skillContext('ops.service_status', { db, config, input: { service: 'payments' } })),
    ).rejects.toMatchObject({
      code: 'ops.service_unknown',
      message: 'Unknown service "payments". Known services: api, billing, exports, reports, search, worker.',
    });
  });

  it('says so when no services are configured', async () => {
    const out = await serviceStatus(skillContext('ops.service_status', { db, input: {} }));
    expect(out).toMatchObject({ services: [], all_up: false });
    await expect(
      serviceStatus(skillContext('ops.service_status', { db, input: { service: 'x' } })),
    ).rejects.toMatchObject({
      code: 'ops.service_unknown',
      message: expect.stringContaining('no services are configured'),
    });
  });

  it('ops.verify_health retries until healthy and fails with ops.unhealthy otherwise', async () => {
    const ok = await verifyHealthBuiltin.run(
      skillContext('ops.verify_health', {
        db,
        config,
        input: { service: 'api', attempts: 3, interval_ms: 10 },
      }),
    );
    expect(ok).toMatchObject({ output: { verified: true, attempts: 1 } });
    const before = broken.requests.length;
    await expect(
      verifyHealthBuiltin.run(
        skillContext('ops.verify_health', {
          db,
          config,
          input: { service: 'billing', attempts: 3, interval_ms: 10 },
        }),
      ),
    ).rejects.toMatchObject({
      code: 'ops.unhealthy',
      details: { attempts: 3, status: 'down', http_status: 500 },
    });
    expect(broken.requests.length - before).toBe(3);
    const unchecked = await verifyHealthBuiltin.run(
      skillContext('ops.verify_health', { db, config, input: { service: 'worker' } }),
    );
    expect(unchecked).toMatchObject({ output: { verified: false, reason: 'no health_url configured' } });
  });
});
