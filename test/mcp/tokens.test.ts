import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/core/config/load-config.js';
import type { PgliteDb } from '../../src/db/pglite-db.js';
import { TokenStore, tokenHash } from '../../src/mcp/tokens/token-store.js';
import { type CliHome, cli, createCliHome } from '../cli/cli-harness.js';
import { TEST_PRINCIPALS } from '../helpers/test-app.js';
import { createTestDb } from '../helpers/test-db.js';

const { config } = loadConfig({ env: {}, cwd: '/', overrides: { principals: TEST_PRINCIPALS } });

describe('TokenStore', () => {
  let db: PgliteDb;
  let now = new Date('2030-01-01T00:00:00Z');
  const clock = () => now;

  beforeAll(async () => {
    db = await createTestDb();
  });
  afterAll(async () => db?.close());

  it('stores only the hash and maps a role token to its own principal', async () => {
    const store = new TokenStore(db, { config, clock });
    const { token, record } = await store.create({
      name: 'ci',
      role: 'operator',
      tenant: 'acme',
      createdBy: 'local',
    });
    expect(token).toMatch(/^sgt_[A-Za-z0-9_-]{43}$/);
    const rows = await db.query<Record<string, unknown>>('SELECT * FROM api_tokens WHERE name = $1', ['ci']);
    expect(JSON.stringify(rows.rows[0])).not.toContain(token.slice(4));
    expect(rows.rows[0].token_hash).toBe(tokenHash(token));
    expect(record).toMatchObject({
      name: 'ci',
      tenant: 'acme',
      role: 'operator',
      principalId: null,
      prefix: token.slice(0, 12),
    });
    const check = await store.verify(token);
    expect(check).toMatchObject({
      ok: true,
      principal: { id: 'token:ci', tenant: 'acme', roles: ['operator'] },
    });
  });

  it('maps a principal token to the configured principal', async () => {
    const store = new TokenStore(db, { config, clock });
    const { token } = await store.create({ name: 'bob-laptop', principal: 'bob', createdBy: 'local' });
    expect(await store.verify(token)).toMatchObject({
      ok: true,
      principal: { id: 'bob', roles: ['approver'] },
    });
  });

  it('refuses unknown roles, unknown principals, both or neither, and duplicate names', async () => {
    const store = new TokenStore(db, { config, clock });
    await expect(store.create({ name: 'x1', role: 'wizard', createdBy: 'l' })).rejects.toMatchObject({
      code: 'request.invalid',
    });
    await expect(store.create({ name: 'x2', principal: 'nobody', createdBy: 'l' })).rejects.toMatchObject({
      code: 'auth.unknown_principal',
    });
    await expect(store.create({ name: 'x3', createdBy: 'l' })).rejects.toMatchObject({
      code: 'request.invalid',
    });
    await expect(store.create({ name: 'ci', role: 'viewer', createdBy: 'l' })).rejects.toMatchObject({
      code: 'token.name_taken',
    });
    await expect(store.revoke('never-existed')).rejects.toMatchObject({ code: 'token.not_found' });
  });

  it('refuses malformed, unknown, expired and revoked tokens with the reason', async () => {
    const store = new TokenStore(db, { config, clock, cacheMs: 0 });
    expect(await store.verify(undefined)).toEqual({ ok: false, reason: 'missing' });
    expect(await store.verify('hello')).toEqual({ ok: false, reason: 'malformed' });
    expect(await store.verify(`sgt_${'b'.repeat(43)}`)).toEqual({ ok: false, reason: 'unknown' });
    const { token } = await store.create({
      name: 'week',
      role: 'viewer',
      expiresInMs: 7 * 86_400_000,
      createdBy: 'l',
    });
    expect((await store.verify(token)).ok).toBe(true);
    now = new Date(now.getTime() + 8 * 86_400_000);
    expect(await store.verify(token)).toEqual({ ok: false, reason: 'expired' });
    const { token: t2 } = await store.create({ name: 'gone', role: 'viewer', createdBy: 'l' });
    await store.revoke('gone');
    expect(await store.verify(t2)).toEqual({ ok: false, reason: 'revoked' });
    expect((await store.list()).map((t) => t.name)).not.toContain('gone');
    expect((await store.list({ includeRevoked: true })).map((t) => t.name)).toContain('gone');
  });

  it('sees a revocation by another process once its cache time has passed', async () => {
    const server = new TokenStore(db, { config, clock, cacheMs: 2000 });
    const cli = new TokenStore(db, { config, clock });
    const { token } = await cli.create({ name: 'cached', role: 'viewer', createdBy: 'l' });
    expect((await server.verify(token)).ok).toBe(true);
    await cli.revoke('cached');
    expect((await server.verify(token)).ok).toBe(true);
    now = new Date(now.getTime() + 2001);
    expect(await server.verify(token)).toEqual({ ok: false, reason: 'revoked' });
  });
});

describe('skillgate tokens', () => {
  let h: CliHome;

  beforeAll(async () => {
    h = await createCliHome();
  });
  afterAll(() => h?.remove());

  it('creates a token and prints it once, lists tokens without secrets, and revokes', async () => {
    const created = await cli(
      h,
      'tokens',
      'create',
      '--name',
      'laptop',
      '--role',
      'operator',
      '--expires',
      '30d',
    );
    expect(created.code).toBe(0);
    const token = created.stdout.trim();
    expect(token).toMatch(/^sgt_[A-Za-z0-9_-]{43}$/);
    expect(created.stderr).toContain('not shown again');

    const listed = await cli(h, '--json', 'tokens', 'list');
    expect(listed.code).toBe(0);
    expect(listed.stdout).not.toContain(token);
    expect(listed.json()).toMatchObject([
      { name: 'laptop', acts_as: 'token:laptop (operator)', status: 'active' },
    ]);

    const dup = await cli(h, 'tokens', 'create', '--name', 'laptop', '--role', 'viewer');
    expect(dup.code).toBe(1);
    expect(dup.stderr).toContain('error token.name_taken');

    expect((await cli(h, 'tokens', 'revoke', 'laptop')).stdout).toContain('token "laptop" revoked');
    expect((await cli(h, 'tokens', 'list')).stdout).toContain('no tokens');
    const all = await cli(h, '--json', 'tokens', 'list', '--all');
    expect(all.json()).toMatchObject([{ name: 'laptop', status: 'revoked' }]);
  });

  it('needs exactly one of --role and --principal', async () => {
    const r = await cli(h, 'tokens', 'create', '--name', 'both', '--role', 'viewer', '--principal', 'bob');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error request.invalid');
    const p = await cli(h, '--json', 'tokens', 'create', '--name', 'bobs', '--principal', 'bob');
    expect(p.json()).toMatchObject({ name: 'bobs', acts_as: 'bob', token: expect.stringMatching(/^sgt_/) });
  });
});
