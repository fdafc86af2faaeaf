import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SkillgateApp } from '../../src/core/app.js';
import { SkillgateError } from '../../src/core/errors.js';
import { startHttpServer } from '../../src/server/start-http-server.js';
import { createServerTestApp } from './server-harness.js';

describe('startHttpServer', () => {
  let app: SkillgateApp;
  beforeAll(async () => {
    app = await createServerTestApp();
  });
  afterAll(() => app.close());

  it('listens on 127.0.0.1 port 0, answers over real HTTP, and closes', async () => {
    const server = await startHttpServer(app, { host: '127.0.0.1', port: 0 });
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${server.url}/healthz`);
    expect(res.status).toBe(200);
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(200);
    await server.close();
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
  });

  it('fails with server.listen_failed when the port is taken', async () => {
    const first = await startHttpServer(app, { host: '127.0.0.1', port: 0 });
    try {
      const err = await startHttpServer(app, { host: '127.0.0.1', port: first.port }).catch((e) => e);
      expect(SkillgateError.is(err, 'server.listen_failed')).toBe(true);
    } finally {
      await first.close();
    }
  });

  it('expires overdue approvals on its timer', async () => {
    const local = { id: 'local', tenant: 'default', roles: ['admin'] };
    const pending = await app.engine.run({
      principal: local,
      channel: 'test',
      skill: 'fixture.delete_customers',
      input: { city: 'Nowhere' },
    });
    expect(pending.status).toBe('pending_approval');
    await app.db.query("UPDATE approvals SET expires_at = now() - interval '1 minute' WHERE id = $1", [
      pending.approval!.id,
    ]);
    const server = await startHttpServer(app, { host: '127.0.0.1', port: 0, expireEveryMs: 50 });
    try {
      await expect
        .poll(
          async () =>
            (
              await app.db.query<{ status: string }>('SELECT status FROM approvals WHERE id = $1', [
                pending.approval!.id,
              ])
            ).rows[0].status,
          { timeout: 5000 },
        )
        .toBe('expired');
    } finally {
      await server.close();
    }
  });
});
