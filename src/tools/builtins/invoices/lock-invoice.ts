import { SkillgateError } from '../../../core/errors.js';
import type { Queryable } from '../../../db/db.js';

/** An invoice with its customer, as the invoice builtins read it. Dates are `YYYY-MM-DD`. */
export interface InvoiceRow {
  id: number;
  number: number;
  amount: number;
  currency: string;
  issued_on: string;
  due_on: string;
  status: 'open' | 'paid' | 'void';
  paid_at: Date | null;
  reminders_sent: number;
  last_reminder_at: Date | null;
  days_overdue: number;
  customer_id: number;
  customer_name: string;
  customer_email: string;
  company: string;
  account_owner: string | null;
}

/**
 * Reads invoice `number` of the tenant with its customer and locks it (`FOR UPDATE`) for the rest
 * of the transaction; throws `resource.not_found` when there is none.
 */
export async function lockInvoice(q: Queryable, tenant: string, number: number): Promise<InvoiceRow> {
  const r = await q.query<InvoiceRow>(
    `SELECT i.id, i.number, i.amount, i.currency, CAST(i.issued_on AS text) AS issued_on,
            CAST(i.due_on AS text) AS due_on, i.status, i.paid_at, i.reminders_sent, i.last_reminder_at,
            GREATEST(current_date - i.due_on, 0) AS days_overdue,
            c.id AS customer_id, c.name AS customer_name, c.email AS customer_email, c.company, c.account_owner
       FROM demo.invoices i
       JOIN demo.customers c ON c.id = i.customer_id AND c.tenant = i.tenant
      WHERE i.tenant = $1 AND i.number = $2
      FOR UPDATE OF i`,
    [tenant, number],
  );
  const row = r.rows[0];
  if (!row) {
    throw new SkillgateError('resource.not_found', `There is no invoice ${number}.`, { invoice: number });
  }
  return { ...row, amount: Number(row.amount), days_overdue: Number(row.days_overdue) };
}

/** `€1,234.50` style amounts. */
export function formatAmount(amount: number, currency: string): string {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).format(amount);
  } catch {
    return `${currency} ${amount.toFixed(2)}`;
  }
}
