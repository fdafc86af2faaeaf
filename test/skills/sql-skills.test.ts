import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shippedBuiltins } from '../../src/core/builtins.js';
import type { PgliteDb } from '../../src/db/pglite-db.js';
import { seedDemoData } from '../../src/tools/demo-seed.js';
import type { Handler } from '../../src/tools/handler.js';
import { createHandler } from '../../src/tools/handlers/create-handler.js';
import { SqlConnectorPools } from '../../src/tools/handlers/sql-connectors.js';
import { createTestDb } from '../helpers/test-db.js';
import { loadSkill, skillContext } from './skill-context.js';

type Row = Record<string, unknown>;

describe('sql skills on the seeded demo data (through the real sql handler)', () => {
  let db: PgliteDb;
  const connectors = new SqlConnectorPools();
  const handler = (id: string): Handler =>
    createHandler(loadSkill(id), { builtins: shippedBuiltins(), connectors });
  const run = async (id: string, input: Record<string, unknown>, tenant = 'default') =>
    (await handler(id).run(skillContext(id, { db, input, tenant }))).output as Record<string, unknown>;

  beforeAll(async () => {
    db = await createTestDb();
    await seedDemoData(db, { tenant: 'default' });
    await seedDemoData(db, { tenant: 'other' });
    await db.query(`UPDATE demo.customers SET name = 'Other Tenant Person' WHERE tenant = 'other'`);
  });
  afterAll(async () => {
    await connectors.close?.();
    await db.close();
  });

  describe('crm.find_customer', () => {
    it('finds customers by company substring, case-insensitively, only in the tenant', async () => {
      const out = await run('crm.find_customer', { query: 'globex' });
      const rows = out.customers as Row[];
      expect(rows.map((r) => r.name).sort()).toEqual(['Frank Grimes', 'Hank Scorpio']);
      expect(rows[0].total_matches).toBe(2);
      expect(rows.every((r) => r.company === 'Globex')).toBe(true);
    });

    it('combines field filters and the tier', async () => {
      const out = await run('crm.find_customer', { city: 'new york', tier: 'premium' });
      expect((out.customers as Row[]).map((r) => r.name).sort()).toEqual(['Norman Osborn', 'Roger Sterling']);
    });

    it('treats an SQL injection attempt as a literal search value', async () => {
      const attempts = ["' OR 1=1 --", "x'; DROP TABLE demo.customers; --", '%', '_'];
      for (const query of attempts) {
        const out = await run('crm.find_customer', { query });
        expect(out.customers, query).toEqual([]);
      }
      const still = await db.query<{ n: number }>(
        `SELECT count(*) AS n FROM demo.customers WHERE tenant = 'default'`,
      );
      expect(still.rows[0].n).toBe(38);
    });

    it('respects the limit while reporting the total number of matches', async () => {
      const out = await run('crm.find_customer', { limit: 5 });
      const rows = out.customers as Row[];
      expect(rows).toHaveLength(5);
      expect(rows[0].total_matches).toBe(38);
    });
  });

  describe('crm.create_customer', () => {
    it('inserts the customer with a lower-cased e-mail and returns the stored row', async () => {
      const out = await run('crm.create_customer', {
        name: 'Jane Doe',
        email: 'Jane.Doe@Hooli.example',
        company: 'Hooli',
        city: 'Palo Alto',
        account_owner: 'Tom Becker',
      });
      expect(out.customer).toMatchObject({
        name: 'Jane Doe',
        email: 'jane.doe@hooli.example',
        tier: 'standard',
        country: 'unknown',
        tenant: 'default',
      });
      expect((out.customer as Row).id).toEqual(expect.any(Number));
    });

    it('refuses a duplicate e-mail with a clear error and writes nothing', async () => {
      await expect(
        run('crm.create_customer', {
          name: 'Imposter',
          email: 'PEPPER.POTTS@stark.example',
          company: 'X',
          city: 'Y',
        }),
      ).rejects.toMatchObject({
        code: 'resource.conflict',
        message: expect.stringMatching(/already exists \(customers_tenant_email_key\)/),
      });
      const r = await db.query(`SELECT 1 FROM demo.customers WHERE name = 'Imposter'`);
      expect(r.rows).toEqual([]);
    });

    it('previews the insert without keeping it', async () => {
      const input = { name: 'Preview Only', email: 'preview@only.example', company: 'P', city: 'Q' };
      const preview = (await handler('crm.create_customer').preview!(
        skillContext('crm.create_customer', { db, input, mode: 'dry_run' }),
      )) as { would_affect: number; rows: Row[] };
      expect(preview.would_affect).toBe(1);
      expect(preview.rows[0]).toMatchObject({ email: 'preview@only.example' });
      const r = await db.query(`SELECT 1 FROM demo.customers WHERE email = 'preview@only.example'`);
      expect(r.rows).toEqual([]);
    });
  });

  describe('crm.update_customer', () => {
    it('previews the change with the row before and after, and changes nothing', async () => {
      const ctx = skillContext('crm.update_customer', {
        db,
        input: { email: 'pepper.potts@stark.example', tier: 'premium', account_owner: 'Aisha Khan' },
        mode: 'dry_run',
      });
      const preview = (await handler('crm.update_customer').preview!(ctx)) as {
        would_affect: number;
        rows: Row[];
      };
      expect(preview.would_affect).toBe(1);
      expect(preview.rows[0].before).toMatchObject({ tier: 'enterprise', account_owner: 'Jonas Weber' });
      expect(preview.rows[0].after).toMatchObject({ tier: 'premium', account_owner: 'Aisha Khan' });
      const r = await db.query(
        `SELECT tier FROM demo.customers WHERE email = 'pepper.potts@stark.example' AND tenant = 'default'`,
      );
      expect(r.rows[0]).toEqual({ tier: 'enterprise' });
    });

    it('updates every contact of a company named by its beginning, only the given fields', async () => {
      const out = await run('crm.update_customer', { company: 'acme', tier: 'premium' });
      const changes = out.changes as { before: Row; after: Row; name: string }[];
      expect(changes.map((c) => c.name).sort()).toEqual(['Roadie Runner', 'Wile E. Coyote']);
      for (const c of changes) {
        expect(c.before.tier).toBe('enterprise');
        expect(c.after).toEqual({ ...c.before, tier: 'premium' });
      }
      const other = await db.query(
        `SELECT DISTINCT tier FROM demo.customers WHERE tenant = 'other' AND company = 'ACME Corp'`,
      );
      expect(other.rows).toEqual([{ tier: 'enterprise' }]);
    });

    it('changes the e-mail of the customer named by id', async () => {
      const id = (
        await db.query<{ id: number }>(
          `SELECT id FROM demo.customers WHERE email = 'hank.scorpio@globex.example' AND tenant = 'default'`,
        )
      ).rows[0].id;
      const out = await run('crm.update_customer', { id, new_email: 'Hank@Globex.example' });
      expect(out.changes).toEqual([
        expect.objectContaining({
          id,
          before: expect.objectContaining({ email: 'hank.scorpio@globex.example' }),
          after: expect.objectContaining({ email: 'hank@globex.example' }),
        }),
      ]);
    });

    it('changes nothing without an identifier or without a new value', async () => {
      expect((await run('crm.update_customer', { tier: 'free' })).changes).toEqual([]);
      expect((await run('crm.update_customer', { company: 'Initech' })).changes).toEqual([]);
      const r = await db.query(
        `SELECT DISTINCT tier FROM demo.customers WHERE tenant = 'default' AND tier = 'free' AND company = 'Globex'`,
      );
      expect(r.rows).toEqual([]);
    });

    it('takes the company name literally, not as a LIKE pattern', async () => {
      expect((await run('crm.update_customer', { company: '%%', tier: 'free' })).changes).toEqual([]);
    });
  });

  describe('invoices.list_overdue and crm.new_customers', () => {
    it('lists open invoices past due, most overdue first, with totals over all of them', async () => {
      const out = await run('invoices.list_overdue', { limit: 3 });
      const rows = out.invoices as Row[];
      expect(rows).toHaveLength(3);
      const days = rows.map((r) => Number(r.days_overdue));
      expect(days).toEqual([...days].sort((a, b) => b - a));
      expect(days.every((d) => d > 0)).toBe(true);
      expect(rows[0]).toMatchObject({
        customer_email: expect.stringContaining('@'),
        customer_name: expect.any(String),
      });
      expect(rows[0].due_on).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      const totals = out.totals as Row[];
      const check = await db.query<{ n: number; s: number }>(
        `SELECT count(*) AS n, sum(amount) AS s FROM demo.invoices WHERE tenant = 'default' AND status = 'open' AND due_on < current_date`,
      );
      expect(totals).toEqual([{ currency: 'EUR', count: check.rows[0].n, total_amount: check.rows[0].s }]);
    });

    it('filters by customer (company, e-mail or id) and minimum amount', async () => {
      const acme = (await run('invoices.list_overdue', { customer: 'ACME' })).invoices as Row[];
      expect(acme.length).toBeGreaterThanOrEqual(2);
      expect(acme.every((r) => r.company === 'ACME Corp')).toBe(true);
      const byEmail = (await run('invoices.list_overdue', { customer: 'wile.e.coyote@acme.example' }))
        .invoices as Row[];
      expect(byEmail.length).toBeGreaterThan(0);
      const byId = (await run('invoices.list_overdue', { customer: String(byEmail[0].customer_id) }))
        .invoices as Row[];
      expect(byId.map((r) => r.number)).toEqual(byEmail.map((r) => r.number));
      const big = (await run('invoices.list_overdue', { min_amount: 10_000 })).invoices as Row[];
      expect(big.length).toBeGreaterThan(0);
      expect(big.every((r) => Number(r.amount) >= 10_000)).toBe(true);
    });

    it('lists the customers created in the last days', async () => {
      const out = await run('crm.new_customers', { days: 7 });
      const names = (out.customers as Row[]).map((r) => r.name);
      expect(names).toEqual(
        expect.arrayContaining(['Mei Tanaka', 'Tomasz Nowak', 'Chloé Dubois', 'Erik Lindqvist']),
      );
      expect(names).not.toContain('Wile E. Coyote');
    });
  });
});
