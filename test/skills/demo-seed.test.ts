import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PgliteDb } from '../../src/db/pglite-db.js';
import { seedDemoData } from '../../src/tools/demo-seed.js';
import { createTestDb } from '../helpers/test-db.js';

describe('seedDemoData', () => {
  let db: PgliteDb;
  beforeAll(async () => {
    db = await createTestDb();
  });
  afterAll(async () => {
    await db.close();
  });

  it('seeds a few dozen customers and about 60 invoices for the tenant', async () => {
    const r = await seedDemoData(db, { tenant: 'default' });
    expect(r).toEqual({ seeded: true, customers: 38, invoices: 60 });
    const companies = await db.query<{ company: string }>(
      `SELECT DISTINCT company FROM demo.customers WHERE tenant = 'default'`,
    );
    const names = companies.rows.map((c) => c.company);
    for (const c of ['ACME Corp', 'Globex', 'Initech', 'Umbrella Corporation', 'Stark Industries']) {
      expect(names).toContain(c);
    }
    const tiers = await db.query<{ tier: string }>(`SELECT DISTINCT tier FROM demo.customers ORDER BY tier`);
    expect(tiers.rows.map((t) => t.tier)).toEqual(['enterprise', 'free', 'premium', 'standard']);
  });

  it('numbers invoices from 1001 with amounts between 100 and 25,000 EUR', async () => {
    const r = await db.query<{ min: number; max: number; lo: number; hi: number; n: number }>(
      `SELECT min(number) AS min, max(number) AS max, min(amount) AS lo, max(amount) AS hi, count(*) AS n
         FROM demo.invoices WHERE tenant = 'default'`,
    );
    expect(r.rows[0]).toEqual({
      min: 1001,
      max: 1060,
      lo: expect.any(Number),
      hi: expect.any(Number),
      n: 60,
    });
    expect(r.rows[0].lo).toBeGreaterThanOrEqual(100);
    expect(r.rows[0].hi).toBeLessThanOrEqual(25_000);
  });

  it('dates invoices relative to today: some overdue, some not yet due, paid ones paid in the past', async () => {
    const r = await db.query<{
      overdue: number;
      not_due: number;
      paid: number;
      paid_future: number;
      bad_due: number;
    }>(
      `SELECT count(*) FILTER (WHERE status = 'open' AND due_on < current_date) AS overdue,
              count(*) FILTER (WHERE status = 'open' AND due_on >= current_date) AS not_due,
              count(*) FILTER (WHERE status = 'paid') AS paid,
              count(*) FILTER (WHERE status = 'paid' AND (paid_at IS NULL OR paid_at > now())) AS paid_future,
              count(*) FILTER (WHERE due_on < issued_on) AS bad_due
         FROM demo.invoices WHERE tenant = 'default'`,
    );
    const s = r.rows[0];
    expect(s.overdue).toBeGreaterThanOrEqual(10);
    expect(s.not_due).toBeGreaterThanOrEqual(3);
    expect(s.paid).toBeGreaterThanOrEqual(20);
    expect(s.paid_future).toBe(0);
    expect(s.bad_due).toBe(0);
    const acme = await db.query(
      `SELECT 1 FROM demo.invoices i JOIN demo.customers c ON c.id = i.customer_id
        WHERE c.company = 'ACME Corp' AND i.status = 'open' AND i.due_on < current_date`,
    );
    expect(acme.rows.length).toBeGreaterThan(0);
  });

  it('adds a few customers this week, so the weekly summary has news', async () => {
    const r = await db.query<{ n: number }>(
      `SELECT count(*) AS n FROM demo.customers WHERE tenant = 'default' AND created_at >= now() - interval '7 days'`,
    );
    expect(r.rows[0].n).toBeGreaterThanOrEqual(3);
  });

  it('is idempotent: a second call for the same tenant inserts nothing', async () => {
    expect(await seedDemoData(db, { tenant: 'default' })).toEqual({
      seeded: false,
      customers: 0,
      invoices: 0,
    });
    const r = await db.query<{ c: number; i: number }>(
      `SELECT (SELECT count(*) FROM demo.customers) AS c, (SELECT count(*) FROM demo.invoices) AS i`,
    );
    expect(r.rows[0]).toEqual({ c: 38, i: 60 });
  });

  it('seeds another tenant separately, with its own invoice numbers', async () => {
    expect(await seedDemoData(db, { tenant: 'acme-eu' })).toEqual({
      seeded: true,
      customers: 38,
      invoices: 60,
    });
    const r = await db.query<{ n: number }>(
      `SELECT count(*) AS n FROM demo.invoices i JOIN demo.customers c ON c.id = i.customer_id
        WHERE i.tenant = 'acme-eu' AND c.tenant = 'acme-eu'`,
    );
    expect(r.rows[0].n).toBe(60);
  });
});
