import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAudit, verifyAudit } from '../../src/core/audit/audit-log.js';
import type { PgliteDb } from '../../src/db/pglite-db.js';
import { createTestDb } from '../helpers/test-db.js';

describe('hash-chained audit log', () => {
  let db: PgliteDb;
  beforeAll(async () => {
    db = await createTestDb();
    for (let i = 0; i < 20; i++) {
      await db.tx((q) =>
        appendAudit(q, [
          {
            tenant: 't',
            actor: 'alice',
            action: 'run.succeeded',
            target: 'x.y',
            data: { i },
            ts: new Date(),
          },
        ]),
      );
    }
  });
  afterAll(() => db.close());

  it('verifies an intact chain', async () => {
    expect(await verifyAudit(db)).toEqual({ ok: true, entries: 20 });
  });

  it('forms one chain under concurrent appends', async () => {
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        db.tx((q) =>
          appendAudit(q, [{ tenant: 't', actor: 'bob', action: 'x', data: { c: i }, ts: new Date() }]),
        ),
      ),
    );
    expect(await verifyAudit(db)).toEqual({ ok: true, entries: 30 });
  });

  it('refuses updates and deletes through the append-only trigger', async () => {
    await expect(db.query(`UPDATE audit_log SET actor = 'mallory' WHERE seq = 3`)).rejects.toThrow(
      /append-only/,
    );
    await expect(db.query('DELETE FROM audit_log WHERE seq = 3')).rejects.toThrow(/append-only/);
  });

  it.each([
    ['an edited entry', `UPDATE audit_log SET data = '{"i": 999}' WHERE seq = 5`, 5, /modified/],
    ['a deleted entry', 'DELETE FROM audit_log WHERE seq = 7', 7, /missing/],
    ['deleted newest entries', 'DELETE FROM audit_log WHERE seq >= 9', 9, /newest entries were deleted/],
  ])('detects %s', async (_name, tamper, brokenAt, reason) => {
    const copy = await createTestDb();
    try {
      for (let i = 0; i < 10; i++) {
        await copy.tx((q) =>
          appendAudit(q, [{ tenant: 't', actor: 'a', action: 'x', data: { i }, ts: new Date() }]),
        );
      }
      expect((await verifyAudit(copy)).ok).toBe(true);
      await copy.exec(`ALTER TABLE audit_log DISABLE TRIGGER USER; ${tamper}`);
      const v = await verifyAudit(copy);
      expect(v).toMatchObject({ ok: false, brokenAt });
      expect(v.reason).toMatch(reason);
    } finally {
      await copy.close();
    }
  });
});
