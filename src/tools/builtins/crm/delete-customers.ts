import { SkillgateError } from '../../../core/errors.js';
import type { Queryable } from '../../../db/db.js';
import type { BuiltinHandler, HandlerContext } from '../../handler.js';
import { inRolledBackTx } from './rolled-back-tx.js';

interface DeleteCustomersInput {
  city?: string;
  tier?: string;
  company?: string;
  ids?: number[];
  created_before?: string;
}

const FILTERS = ['city', 'tier', 'company', 'ids', 'created_before'] as const;

/** The filters given (empty strings and empty lists do not count). */
function filtersOf(input: DeleteCustomersInput): Partial<DeleteCustomersInput> {
  const out: Record<string, unknown> = {};
  for (const k of FILTERS) {
    const v = input[k];
    if (v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0)) continue;
    out[k] = v;
  }
  return out as Partial<DeleteCustomersInput>;
}

async function deleteCustomers(q: Queryable, ctx: HandlerContext) {
  const f = filtersOf(ctx.input as DeleteCustomersInput);
  if (Object.keys(f).length === 0) {
    throw new SkillgateError(
      'skill.input_invalid',
      `crm.delete_customers needs at least one filter (${FILTERS.join(', ')}); it never deletes every customer.`,
      { skill: 'crm.delete_customers' },
    );
  }
  const where = `tenant = $1
      AND ($2::text IS NULL OR lower(city) = lower($2))
      AND ($3::text IS NULL OR tier = $3)
      AND ($4::text IS NULL OR lower(company) = lower($4))
      AND ($5::jsonb IS NULL OR id IN (SELECT CAST(x AS integer) FROM jsonb_array_elements_text($5::jsonb) AS x))
      AND ($6::date IS NULL OR created_at < $6::date)`;
  const params = [
    ctx.tenant,
    f.city ?? null,
    f.tier ?? null,
    f.company ?? null,
    f.ids ? JSON.stringify(f.ids) : null,
    f.created_before ?? null,
  ];
  const invoices = await q.query<{ n: number }>(
    `SELECT count(*) AS n FROM demo.invoices WHERE customer_id IN (SELECT id FROM demo.customers WHERE ${where})`,
    params,
  );
  const deleted = await q.query(`DELETE FROM demo.customers WHERE ${where} RETURNING *`, params);
  return {
    filters: f,
    deleted_count: deleted.rowCount,
    deleted: deleted.rows,
    invoices_deleted: Number(invoices.rows[0]?.n ?? 0),
  };
}

/**
 * `crm.delete_customers`: deletes the tenant's customers matching every given filter (city,
 * company: case-insensitive exact; tier; ids; created_before) and, by cascade, their invoices.
 * At least one filter is required (`skill.input_invalid` otherwise). The preview runs the same
 * DELETE in a transaction that is rolled back, so it lists exactly the rows a run would delete.
 */
export const deleteCustomersBuiltin: BuiltinHandler = {
  async preview(ctx) {
    const r = await inRolledBackTx(ctx.db, (q) => deleteCustomers(q, ctx));
    return {
      filters: r.filters,
      would_delete_count: r.deleted_count,
      would_delete: r.deleted,
      invoices_that_would_be_deleted: r.invoices_deleted,
    };
  },
  async run(ctx) {
    return { output: await ctx.db.tx((q) => deleteCustomers(q, ctx)) };
  },
};
