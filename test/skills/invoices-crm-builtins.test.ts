import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PgliteDb } from '../../src/db/pglite-db.js';
import { deleteCustomersBuiltin } from '../../src/tools/builtins/crm/delete-customers.js';
import { markPaidBuiltin } from '../../src/tools/builtins/invoices/mark-paid.js';
import { sendReminderBuiltin } from '../../src/tools/builtins/invoices/send-reminder.js';
import { seedDemoData } from '../../src/tools/demo-seed.js';
import { createTestDb } from '../helpers/test-db.js';
import { skillContext } from './skill-context.js';

type Row = Record<string, unknown>;

describe('invoice and crm builtins on the seeded demo data', () => {
  let db: PgliteDb;
  /** Numbers of some seeded invoices by state. */
  let overdue: Row[];
  let paid: number;

  beforeAll(async () => {
    db = await createTestDb();
    await seedDemoData(db, { tenant: 'default' });
    await seedDemoData(db, { tenant: 'other' });
    overdue = (
      await db.query<Row>(
        `SELECT i.number, c.company, c.email FROM demo.invoices i JOIN demo.customers c ON c.id = i.customer_id
          WHERE i.tenant = 'default' AND i.status = 'open' AND i.due_on < current_date ORDER BY i.number`,
      )
    ).rows;
    paid = (
      await db.query<{ number: number }>(
        `SELECT min(number) AS number FROM demo.invoices WHERE tenant = 'default' AND status = 'paid'`,
      )
    ).rows[0].number;
  });
  afterAll(async () => {
    await db.close();
  });

  const outbox = async () => (await db.query<Row>(`SELECT * FROM outbox ORDER BY created_at`)).rows;

  describe('invoices.send_reminder', () => {
    it('previews the exact message without queueing it or touching the invoice', async () => {
      const number = Number(overdue[0].number);
      const state = () =>
        db.query(
          `SELECT reminders_sent, last_reminder_at FROM demo.invoices WHERE tenant = 'default' AND number = $1`,
          [number],
        );
      const before = (await state()).rows[0];
      const preview = (await sendReminderBuiltin.preview!(
        skillContext('invoices.send_reminder', {
          db,
          input: { invoice: number, note: 'Our bank details changed.' },
          mode: 'dry_run',
        }),
      )) as { would_queue: Row[] };
      expect(preview.would_queue).toHaveLength(1);
      const msg = preview.would_queue[0];
      expect(msg.recipient).toBe(overdue[0].email);
      expect(msg.subject).toMatch(
        new RegExp(`^Payment reminder: invoice ${number} \\(€[\\d,]+\\.\\d{2}, due \\d{4}-\\d{2}-\\d{2}\\)$`),
      );
      expect(msg.body).toMatch(/days? overdue/);
      expect(msg.body).toContain('Our bank details changed.');
      expect(await outbox()).toEqual([]);
      expect((await state()).rows[0]).toEqual(before);
    });

    it('queues the message in the outbox and bumps the reminder counters, in one go', async () => {
      const number = Number(overdue[0].number);
      const before = (
        await db.query<{ reminders_sent: number }>(
          `SELECT reminders_sent FROM demo.invoices WHERE tenant = 'default' AND number = $1`,
          [number],
        )
      ).rows[0];
      const ctx = skillContext('invoices.send_reminder', { db, input: { invoice: number } });
      const preview = (await sendReminderBuiltin.preview!({ ...ctx, mode: 'dry_run' })) as {
        would_queue: Row[];
      };
      const out = ((await sendReminderBuiltin.run(ctx)) as { output: { count: number; reminders: Row[] } })
        .output;
      expect(out.count).toBe(1);
      const r = out.reminders[0];
      expect(r.reminders_sent).toBe(before.reminders_sent + 1);
      const rows = await outbox();
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        id: r.outbox_id,
        tenant: 'default',
        connector: 'outbox',
        recipient: overdue[0].email,
        status: 'queued',
        run_id: ctx.runId,
        payload: { kind: 'payment_reminder', invoice: number },
      });
      // The preview showed exactly what was queued.
      expect({ subject: rows[0].subject, body: rows[0].body }).toEqual({
        subject: preview.would_queue[0].subject,
        body: preview.would_queue[0].body,
      });
      const inv = await db.query<Row>(
        `SELECT reminders_sent, last_reminder_at FROM demo.invoices WHERE tenant = 'default' AND number = $1`,
        [number],
      );
      expect(inv.rows[0].last_reminder_at).toBeInstanceOf(Date);
    });

    it('refuses a paid invoice with a clear error and queues nothing', async () => {
      const n = (await outbox()).length;
      await expect(
        sendReminderBuiltin.run(skillContext('invoices.send_reminder', { db, input: { invoice: paid } })),
      ).rejects.toMatchObject({
        code: 'resource.conflict',
        message: expect.stringMatching(new RegExp(`Invoice ${paid} is paid .*no reminder was sent`)),
      });
      expect(await outbox()).toHaveLength(n);
    });

    it('reports an unknown invoice, and never reaches invoices of another tenant', async () => {
      await expect(
        sendReminderBuiltin.run(skillContext('invoices.send_reminder', { db, input: { invoice: 99999 } })),
      ).rejects.toMatchObject({ code: 'resource.not_found' });
      await db.query(`DELETE FROM demo.invoices WHERE tenant = 'other' AND number = 1060`);
      await expect(
        sendReminderBuiltin.run(
          skillContext('invoices.send_reminder', { db, input: { invoice: 1060 }, tenant: 'other' }),
        ),
      ).rejects.toMatchObject({ code: 'resource.not_found' });
    });

    it('reminds a customer about each of their overdue invoices', async () => {
      const acme = overdue.filter((o) => o.company === 'ACME Corp').map((o) => Number(o.number));
      expect(acme.length).toBeGreaterThanOrEqual(2);
      const out = (
        (await sendReminderBuiltin.run(
          skillContext('invoices.send_reminder', { db, input: { customer: 'acme' } }),
        )) as {
          output: { count: number; reminders: Row[] };
        }
      ).output;
      expect(out.reminders.map((r) => r.invoice).sort()).toEqual(acme.sort());
      expect(out.reminders.every((r) => String(r.recipient).endsWith('@acme.example'))).toBe(true);
    });

    it('refuses a customer that does not own the named invoice', async () => {
      const globex = overdue.find((o) => o.company === 'Globex')!;
      await expect(
        sendReminderBuiltin.run(
          skillContext('invoices.send_reminder', {
            db,
            input: { invoice: Number(globex.number), customer: 'Initech' },
          }),
        ),
      ).rejects.toMatchObject({ code: 'skill.input_invalid' });
      await expect(
        sendReminderBuiltin.run(skillContext('invoices.send_reminder', { db, input: {} })),
      ).rejects.toMatchObject({
        code: 'skill.input_invalid',
      });
    });
  });

  describe('invoices.mark_paid', () => {
    it('previews the change and leaves the invoice open', async () => {
      const number = Number(overdue[1].number);
      const preview = (await markPaidBuiltin.preview!(
        skillContext('invoices.mark_paid', { db, input: { invoice: number }, mode: 'dry_run' }),
      )) as {
        would_update: Row;
      };
      expect(preview.would_update).toMatchObject({ invoice: number, status_before: 'open', status: 'paid' });
      const r = await db.query(
        `SELECT status, paid_at FROM demo.invoices WHERE tenant = 'default' AND number = $1`,
        [number],
      );
      expect(r.rows[0]).toEqual({ status: 'open', paid_at: null });
    });

    it('marks an open invoice paid on the given day', async () => {
      const number = Number(overdue[1].number);
      const out = (
        (await markPaidBuiltin.run(
          skillContext('invoices.mark_paid', { db, input: { invoice: number, paid_on: '2024-05-02' } }),
        )) as {
          output: Row;
        }
      ).output;
      expect(out).toMatchObject({ invoice: number, status: 'paid' });
      expect(String(out.paid_at).slice(0, 10)).toBe('2024-05-02');
      const r = await db.query<{ status: string }>(
        `SELECT status FROM demo.invoices WHERE tenant = 'default' AND number = $1`,
        [number],
      );
      expect(r.rows[0].status).toBe('paid');
      const other = await db.query<{ status: string }>(
        `SELECT status FROM demo.invoices WHERE tenant = 'other' AND number = $1`,
        [number],
      );
      expect(other.rows[0].status).toBe('open');
    });

    it('refuses an invoice that is already paid instead of silently succeeding', async () => {
      const number = Number(overdue[1].number);
      await expect(
        markPaidBuiltin.run(skillContext('invoices.mark_paid', { db, input: { invoice: number } })),
      ).rejects.toMatchObject({
        code: 'resource.conflict',
        message: `Invoice ${number} is already marked paid on 2024-05-02; nothing was changed.`,
      });
    });

    it('refuses a payment date in the future and an unknown invoice', async () => {
      await expect(
        markPaidBuiltin.run(
          skillContext('invoices.mark_paid', {
            db,
            input: { invoice: Number(overdue[2].number), paid_on: '2999-01-01' },
          }),
        ),
      ).rejects.toMatchObject({ code: 'skill.input_invalid' });
      await expect(
        markPaidBuiltin.run(skillContext('invoices.mark_paid', { db, input: { invoice: 4242 } })),
      ).rejects.toMatchObject({
        code: 'resource.not_found',
      });
    });
  });

  describe('crm.delete_customers', () => {
    it('refuses to run without any filter', async () => {
      for (const input of [{}, { city: '' }]) {
        const ctx = skillContext('crm.delete_customers', { db, input: {} });
        await expect(deleteCustomersBuiltin.run({ ...ctx, input })).rejects.toMatchObject({
          code: 'skill.input_invalid',
        });
        await expect(deleteCustomersBuiltin.preview!({ ...ctx, input })).rejects.toMatchObject({
          code: 'skill.input_invalid',
        });
      }
    });

    it('previews exactly the customers and invoices it would delete, deleting nothing', async () => {
      const ctx = skillContext('crm.delete_customers', {
        db,
        input: { company: 'initech' },
        mode: 'dry_run',
      });
      const preview = (await deleteCustomersBuiltin.preview!(ctx)) as {
        would_delete_count: number;
        would_delete: Row[];
        invoices_that_would_be_deleted: number;
      };
      expect(preview.would_delete_count).toBe(2);
      expect(preview.would_delete.map((r) => r.name).sort()).toEqual(['Bill Lumbergh', 'Peter Gibbons']);
      const invoices = await db.query<{ n: number }>(
        `SELECT count(*) AS n FROM demo.invoices i JOIN demo.customers c ON c.id = i.customer_id WHERE c.tenant = 'default' AND c.company = 'Initech'`,
      );
      expect(preview.invoices_that_would_be_deleted).toBe(invoices.rows[0].n);
      const still = await db.query(
        `SELECT 1 FROM demo.customers WHERE tenant = 'default' AND company = 'Initech'`,
      );
      expect(still.rows).toHaveLength(2);
    });

    it('deletes only rows matching every filter, in the tenant, with their invoices', async () => {
      const out = (
        (await deleteCustomersBuiltin.run(
          skillContext('crm.delete_customers', { db, input: { company: 'Initech', tier: 'free' } }),
        )) as {
          output: { deleted_count: number; deleted: Row[] };
        }
      ).output;
      expect(out.deleted_count).toBe(1);
      expect(out.deleted[0]).toMatchObject({ name: 'Peter Gibbons', tenant: 'default' });
      const left = await db.query<Row>(
        `SELECT name FROM demo.customers WHERE company = 'Initech' ORDER BY tenant, name`,
      );
      expect(left.rows.map((r) => r.name)).toEqual(['Bill Lumbergh', 'Bill Lumbergh', 'Peter Gibbons']);
      const orphans = await db.query(
        `SELECT 1 FROM demo.invoices i LEFT JOIN demo.customers c ON c.id = i.customer_id WHERE c.id IS NULL`,
      );
      expect(orphans.rows).toEqual([]);
    });

    it('deletes by ids', async () => {
      const ids = (
        await db.query<{ id: number }>(
          `SELECT id FROM demo.customers WHERE tenant = 'default' AND city = 'Dublin'`,
        )
      ).rows.map((r) => r.id);
      const otherIds = (
        await db.query<{ id: number }>(
          `SELECT id FROM demo.customers WHERE tenant = 'other' AND city = 'Dublin'`,
        )
      ).rows.map((r) => r.id);
      const out = (
        (await deleteCustomersBuiltin.run(
          skillContext('crm.delete_customers', { db, input: { ids: [...ids, ...otherIds] } }),
        )) as {
          output: { deleted_count: number };
        }
      ).output;
      expect(out.deleted_count).toBe(ids.length);
      const other = await db.query(`SELECT 1 FROM demo.customers WHERE tenant = 'other' AND city = 'Dublin'`);
      expect(other.rows).toHaveLength(otherIds.length);
    });
  });
});
