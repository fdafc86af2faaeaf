import type { Config } from '../../../core/config/config-schema.js';
import { SkillgateError } from '../../../core/errors.js';
import { newId } from '../../../core/ids.js';
import type { Queryable } from '../../../db/db.js';
import type { BuiltinHandler, HandlerContext } from '../../handler.js';
import { inRolledBackTx } from '../crm/rolled-back-tx.js';
import { formatAmount, type InvoiceRow, lockInvoice } from './lock-invoice.js';

interface SendReminderInput {
  invoice?: number;
  customer?: string;
  note?: string;
}

/** Most reminders one run sends for a customer. */
const MAX_PER_RUN = 20;

/** A reminder as queued in the outbox. */
export interface ReminderMessage {
  connector: string;
  recipient: string;
  subject: string;
  body: string;
}

/** The outbound connector reminders go to: the first configured connector of type `outbox`, else `outbox`. */
export function outboxConnector(config: Config): string {
  return Object.entries(config.connectors).find(([, c]) => c.type === 'outbox')?.[0] ?? 'outbox';
}

/** The reminder e-mail for an invoice (pure: the same invoice gives the same message). */
export function composeReminder(inv: InvoiceRow, connector: string, note?: string): ReminderMessage {
  const amount = formatAmount(inv.amount, inv.currency);
  const when =
    inv.days_overdue > 0
      ? `was due on ${inv.due_on} and is now ${inv.days_overdue} day${inv.days_overdue === 1 ? '' : 's'} overdue`
      : `is due on ${inv.due_on}`;
  const lines = [
    `Dear ${inv.customer_name},`,
    '',
    `This is a friendly reminder that invoice ${inv.number} for ${amount}, issued on ${inv.issued_on} to ${inv.company}, ${when}.`,
    '',
  ];
  if (note?.trim()) lines.push(note.trim(), '');
  lines.push(
    'If you have already paid, please disregard this message. Otherwise we would be grateful for payment at your earliest convenience.',
    '',
    'Kind regards,',
    inv.account_owner ?? 'Accounts receivable',
  );
  return {
    connector,
    recipient: inv.customer_email,
    subject: `Payment reminder: invoice ${inv.number} (${amount}, due ${inv.due_on})`,
    body: lines.join('\n'),
  };
}

function matchesCustomer(inv: InvoiceRow, customer: string): boolean {
  const c = customer.trim().toLowerCase();
  return [inv.company, inv.customer_name, inv.customer_email].some((v) => v.toLowerCase().includes(c));
}

/** The invoices to remind about: invoice `n` (checked against `customer` when both are given), or every overdue open one of `customer`. */
async function targetInvoices(
  q: Queryable,
  ctx: HandlerContext,
  input: SendReminderInput,
): Promise<InvoiceRow[]> {
  if (input.invoice !== undefined) {
    const inv = await lockInvoice(q, ctx.tenant, input.invoice);
    if (input.customer && !matchesCustomer(inv, input.customer)) {
      throw new SkillgateError(
        'skill.input_invalid',
        `Invoice ${inv.number} belongs to ${inv.company} (${inv.customer_name}), not to "${input.customer}".`,
        { invoice: inv.number },
      );
    }
    if (inv.status !== 'open') {
      const detail =
        inv.status === 'paid' && inv.paid_at ? ` (paid on ${inv.paid_at.toISOString().slice(0, 10)})` : '';
      throw new SkillgateError(
        'resource.conflict',
        `Invoice ${inv.number} is ${inv.status}${detail}; no reminder was sent.`,
        {
          invoice: inv.number,
          status: inv.status,
        },
      );
    }
    return [inv];
  }
  if (!input.customer?.trim()) {
    throw new SkillgateError(
      'skill.input_invalid',
      'Name the invoice (its number) or the customer to remind.',
      {
        skill: 'invoices.send_reminder',
      },
    );
  }
  const r = await q.query<{ number: number }>(
    `SELECT i.number
       FROM demo.invoices i JOIN demo.customers c ON c.id = i.customer_id AND c.tenant = i.tenant
      WHERE i.tenant = $1 AND i.status = 'open' AND i.due_on < current_date
        AND (c.company ILIKE $2 || '%' OR c.name ILIKE '%' || $2 || '%' OR lower(c.email) = lower($3))
      ORDER BY i.due_on, i.number`,
    [ctx.tenant, input.customer.trim().replace(/[\\%_]/g, (ch) => `\\${ch}`), input.customer.trim()],
  );
  if (r.rows.length === 0) {
    throw new SkillgateError(
      'resource.not_found',
      `"${input.customer}" has no overdue open invoices; no reminder was sent.`,
      {
        customer: input.customer,
      },
    );
  }
  const invoices: InvoiceRow[] = [];
  for (const { number } of r.rows.slice(0, MAX_PER_RUN))
    invoices.push(await lockInvoice(q, ctx.tenant, Number(number)));
  const companies = [...new Set(invoices.map((i) => i.company))];
  if (companies.length > 1) {
    throw new SkillgateError(
      'skill.input_invalid',
      `"${input.customer}" matches several companies (${companies.join(', ')}); name one company or the invoice number.`,
      { customer: input.customer },
    );
  }
  return invoices;
}

async function sendReminder(q: Queryable, ctx: HandlerContext) {
  const input = ctx.input as unknown as SendReminderInput;
  const connector = outboxConnector(ctx.config);
  const reminders = [];
  for (const inv of await targetInvoices(q, ctx, input)) {
    const msg = composeReminder(inv, connector, input.note);
    const id = newId('msg');
    await q.query(
      `INSERT INTO outbox (id, tenant, connector, recipient, subject, body, payload, run_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        id,
        ctx.tenant,
        msg.connector,
        msg.recipient,
        msg.subject,
        msg.body,
        JSON.stringify({ kind: 'payment_reminder', invoice: inv.number, customer_id: inv.customer_id }),
        ctx.runId,
      ],
    );
    const upd = await q.query<{ reminders_sent: number; last_reminder_at: Date }>(
      `UPDATE demo.invoices SET reminders_sent = reminders_sent + 1, last_reminder_at = now()
        WHERE tenant = $1 AND number = $2 RETURNING reminders_sent, last_reminder_at`,
      [ctx.tenant, inv.number],
    );
    reminders.push({
      outbox_id: id,
      status: 'queued',
      invoice: inv.number,
      amount: inv.amount,
      currency: inv.currency,
      days_overdue: inv.days_overdue,
      ...msg,
      reminders_sent: upd.rows[0].reminders_sent,
      last_reminder_at: upd.rows[0].last_reminder_at.toISOString(),
    });
  }
  return { count: reminders.length, reminders };
}

/**
 * `invoices.send_reminder`: queues a payment reminder for an open invoice (or for each overdue
 * open invoice of a customer, at most 20) in the `outbox` table, which the outbound connector
 * delivers, and bumps the invoices' `reminders_sent` / `last_reminder_at`, in one transaction.
 * A paid or void invoice is refused (`resource.conflict`). The preview shows the exact messages
 * that would be queued.
 */
export const sendReminderBuiltin: BuiltinHandler = {
  async preview(ctx) {
    const out = await inRolledBackTx(ctx.db, (q) => sendReminder(q, ctx));
    return {
      would_queue: out.reminders.map(
        ({ outbox_id: _id, status: _s, last_reminder_at: _l, ...message }) => message,
      ),
    };
  },
  async run(ctx) {
    return { output: await ctx.db.tx((q) => sendReminder(q, ctx)) };
  },
};
