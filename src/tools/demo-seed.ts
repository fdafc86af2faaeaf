import type { Db } from '../db/db.js';
import { DEMO_CUSTOMERS, DEMO_INVOICES } from './demo-seed-data.js';

export interface SeedDemoOptions {
  /** The tenant whose demo rows are created. */
  tenant: string;
}

export interface SeedDemoResult {
  /** False when the tenant already had customers (nothing was inserted). */
  seeded: boolean;
  customers: number;
  invoices: number;
}

/**
 * Seeds the demo business data (`demo.customers`, `demo.invoices`) for a tenant: 38 customers of
 * fictional companies (ACME Corp, Globex, Initech, Umbrella, Stark Industries, ...; a few created
 * this week) and 60 invoices numbered from 1001, with dates relative to today so that about a
 * third of them are overdue whenever it runs.
 *
 * Idempotent: does nothing when the tenant already has any customer. Runs in one transaction
 * under an advisory lock, so concurrent first starts of several replicas seed once.
 */
export async function seedDemoData(db: Db, options: SeedDemoOptions): Promise<SeedDemoResult> {
  const { tenant } = options;
  return db.tx(async (q) => {
    await q.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`skillgate.demo_seed:${tenant}`]);
    const existing = await q.query('SELECT 1 FROM demo.customers WHERE tenant = $1 LIMIT 1', [tenant]);
    if (existing.rows.length > 0) return { seeded: false, customers: 0, invoices: 0 };

    const customers = DEMO_CUSTOMERS.map(
      ([name, email, phone, company, city, country, tier, owner, days], i) => ({
        name,
        email,
        phone,
        company,
        city,
        country,
        tier,
        owner,
        days,
        hours: (i * 5) % 20,
      }),
    );
    const c = await q.query(
      `INSERT INTO demo.customers (tenant, name, email, phone, company, city, country, tier, account_owner, created_at)
       SELECT $1, x.name, x.email, x.phone, x.company, x.city, x.country, x.tier, x.owner,
              now() - make_interval(days => x.days, hours => x.hours)
         FROM jsonb_to_recordset($2::jsonb)
           AS x(name text, email text, phone text, company text, city text, country text, tier text,
                owner text, days int, hours int)`,
      [tenant, JSON.stringify(customers)],
    );

    const invoices = DEMO_INVOICES.map(([customer, amount, issued, terms, status, paidAfter], i) => ({
      number: 1001 + i,
      email: DEMO_CUSTOMERS[customer][1],
      amount,
      issued,
      terms,
      status,
      paid_after: paidAfter,
    }));
    const inv = await q.query(
      `INSERT INTO demo.invoices
              (tenant, number, customer_id, amount, currency, issued_on, due_on, status, paid_at,
               reminders_sent, last_reminder_at)
       SELECT $1, x.number, c.id, x.amount, 'EUR', current_date - x.issued, current_date - x.issued + x.terms,
              x.status,
              CASE WHEN x.status = 'paid'
                   THEN CAST(current_date - x.issued + x.paid_after AS timestamp) + interval '10 hours' END,
              CASE WHEN x.status = 'open' AND x.issued - x.terms > 20 THEN 1 ELSE 0 END,
              CASE WHEN x.status = 'open' AND x.issued - x.terms > 20
                   THEN CAST(current_date - x.issued + x.terms + 14 AS timestamp) + interval '9 hours' END
         FROM jsonb_to_recordset($2::jsonb)
           AS x(number int, email text, amount numeric, issued int, terms int, status text, paid_after int)
         JOIN demo.customers c ON c.tenant = $1 AND c.email = x.email`,
      [tenant, JSON.stringify(invoices)],
    );
    return { seeded: true, customers: c.rowCount, invoices: inv.rowCount };
  });
}
