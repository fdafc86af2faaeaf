import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PgliteDb } from '../../src/db/pglite-db.js';

describe('embedded data directory lock', () => {
  it('refuses a second open of the same data directory until the first closes', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'skillgate-lock-')), 'pgdata');
    const first = await PgliteDb.open({ dataDir: dir });
    try {
      await expect(PgliteDb.open({ dataDir: dir })).rejects.toMatchObject({ code: 'storage.unavailable' });
      await first.query('CREATE TABLE kept (x int)');
    } finally {
      await first.close();
    }
    const second = await PgliteDb.open({ dataDir: dir });
    expect((await second.query(`SELECT to_regclass('kept') IS NOT NULL AS ok`)).rows[0]).toEqual({
      ok: true,
    });
    await second.close();
  });
});
