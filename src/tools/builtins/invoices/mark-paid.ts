import { SkillgateError } from '../../../core/errors.js';
import type { Queryable } from '../../../db/db.js';
import type { BuiltinHandler, HandlerContext } from '../../handler.js';
import { inRolledBackTx } from '../crm/rolled-back-tx.js';
import { formatAmount, type InvoiceRow, lockInvoice } from './lock-invoice.js';

interface MarkPaidInput {
  invoice: number;
  paid_on?: string;
}

function assertPayable(inv: InvoiceRow): void {
  if (inv.status === 'paid') {
    const when = inv.paid_at ? ` on ${inv.paid_at.toISOString().slice(0, 10)}` : '';
    throw new SkillgateError(
      'resource.conflict',
      `Invoice ${inv.number} is already marked paid${when}; nothing was changed.`,
      {
        invoice: inv.number,
        status: inv.status,
        paid_at: inv.paid_at?.toISOString() ?? null,
      },
    );
  }
  if (inv.status === 'void') {
    throw new SkillgateError('resource.conflict', `Invoice ${inv.number} is void and cannot be paid.`, {
      invoice: inv.number,
      status: inv.status,
    });
  }
}

async function markPaid(q: Queryable, ctx: HandlerContext) {
  const input = ctx.input as unknown as MarkPaidInput;
  if (input.paid_on && input.paid_on > new Date().toISOString().slice(0, 10)) {
    throw new SkillgateError('skill.input_invalid', `paid_on ${input.paid_on} is in the future.`, {
      paid_on: input.paid_on,
    });
  }
  const before = await lockInvoice(q, ctx.tenant, input.invoice);
  assertPayable(before);
  const r = await q.query<{ status: string; paid_at: Date }>(
    `UPDATE demo.invoices SET status = 'paid', paid_at = COALESCE(CAST($3 AS date), now())
      WHERE tenant = $1 AND number = $2 RETURNING status, paid_at`,
    [ctx.tenant, input.invoice, input.paid_on ?? null],
  );
  const after = r.rows[0];
  return {
    invoice: before.number,
    customer: { id: before.customer_id, name: before.customer_name, company: before.company },
    amount: before.amount,
    currency: before.currency,
    amount_text: formatAmount(before.amount, before.currency),
    due_on: before.due_on,
    days_overdue_when_paid: before.days_overdue,
    status_before: before.status,
    status: after.status,
    paid_at: after.paid_at.toISOString(),
  };
}

/**
 * `invoices.mark_paid`: records that an open invoice was paid (today, or `paid_on`). An invoice
 * already paid or void is refused with `resource.conflict` instead of being silently "updated";
 * an unknown number with `resource.not_found`. The preview runs the same update and rolls it back.
 */
export const markPaidBuiltin: BuiltinHandler = {
  async preview(ctx) {
    return { would_update: await inRolledBackTx(ctx.db, (q) => markPaid(q, ctx)) };
  },
  async run(ctx) {
    return { output: await ctx.db.tx((q) => markPaid(q, ctx)) };
  },
};
