import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../src/core/run-request.js';
import { PgliteDb } from '../../src/db/pglite-db.js';
import { type CliHome, cli, createCliHome, SETUP_TIMEOUT, SLOW } from './cli-harness.js';

describe('skillgate audit verify / db', SLOW, () => {
  let h: CliHome;
  beforeAll(async () => {
    h = await createCliHome();
    for (let i = 0; i < 3; i++)
      expect((await cli(h, 'run', 'fixture.find_customers', 'limit=1')).code).toBe(0);
  }, SETUP_TIMEOUT);
  afterAll(() => h.remove());

  it('migrates idempotently', async () => {
    const r = await cli(h, 'db', 'migrate');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/schema at version \d+ \(already up to date\)/);
  });

  it('backs up and restores: data changed after the backup is rolled back to the backup', async () => {
    const file = join(h.dir, 'backup.sgb');
    const backup = await cli(h, 'db', 'backup', file);
    expect(backup.code).toBe(0);
    expect(backup.stdout).toMatch(/backup written to .*backup\.sgb: \d+ rows in \d+ tables/);
    expect(backup.stdout).toMatch(/demo\.customers +\d+/);
    const before = (await cli(h, 'runs', 'list', '--limit', '100', '--json')).json<unknown[]>().length;
    const extra = await cli(h, 'run', 'fixture.find_customers', 'limit=1', '--json');
    const extraId = extra.json<RunResult>().runId;
    const restore = await cli(h, 'db', 'restore', file);
    expect(restore.code).toBe(0);
    expect(restore.stdout).toMatch(/restored \d+ rows in \d+ tables/);
    const after = (await cli(h, 'runs', 'list', '--limit', '100', '--json')).json<{ id: string }[]>();
    expect(after).toHaveLength(before);
    expect(after.map((r) => r.id)).not.toContain(extraId);
    expect((await cli(h, 'audit', 'verify')).code).toBe(0);
  });

  it('verifies an intact audit chain, then detects an edited entry (exit 1)', async () => {
    const ok = await cli(h, 'audit', 'verify');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/audit log ok: (\d+) entries, chain intact/);
    const db = await PgliteDb.open({ dataDir: join(h.home, 'pgdata') });
    try {
      await db.exec(`ALTER TABLE audit_log DISABLE TRIGGER USER;
        UPDATE audit_log SET actor = 'mallory' WHERE seq = 2;
        ALTER TABLE audit_log ENABLE TRIGGER USER;`);
    } finally {
      await db.close();
    }
    const broken = await cli(h, 'audit', 'verify');
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain('audit log BROKEN at entry 2: entry 2 was modified');
    expect(broken.stderr).toContain('error audit.chain_broken');
    const json = await cli(h, 'audit', 'verify', '--json');
    expect(json.json()).toMatchObject({ ok: false, brokenAt: 2 });
  });

  it('fails a restore of a missing file with storage.backup_failed', async () => {
    const r = await cli(h, 'db', 'restore', join(h.dir, 'nope.sgb'));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error storage.backup_failed');
  });
});
