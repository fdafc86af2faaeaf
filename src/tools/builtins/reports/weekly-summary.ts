import type { BuiltinHandler, HandlerContext } from '../../handler.js';
import { formatAmount } from '../invoices/lock-invoice.js';

type Row = Record<string, unknown>;

interface ComposeInput {
  days?: number;
  overdue?: unknown;
  new_customers?: unknown;
  run_stats?: unknown;
}

export interface SummarySection {
  title: string;
  summary: string;
  items: string[];
}

/** The rows of a step output: the array itself, `key`, or the first array property. */
function rowsOf(value: unknown, key: string): Row[] {
  if (Array.isArray(value)) return value as Row[];
  if (value && typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if (Array.isArray(v[key])) return v[key] as Row[];
    const first = Object.values(v).find(Array.isArray);
    if (first) return first as Row[];
  }
  return [];
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * Overdue invoices: the listed rows (maybe limited) and, when the step gives them, its `totals`
 * per currency (`{currency, count, total_amount}`), which count every overdue invoice.
 */
function overdueSection(
  rows: Row[],
  totals: Row[],
): { section: SummarySection; phrase: string; total: Record<string, number>; count: number } {
  const total: Record<string, number> = {};
  let count = 0;
  if (totals.length) {
    for (const t of totals) {
      total[String(t.currency ?? 'EUR')] = Number(t.total_amount ?? 0);
      count += Number(t.count ?? 0);
    }
  } else {
    for (const r of rows) {
      const cur = String(r.currency ?? 'EUR');
      total[cur] = (total[cur] ?? 0) + Number(r.amount ?? 0);
    }
    count = rows.length;
  }
  const money = Object.entries(total)
    .map(([cur, sum]) => formatAmount(sum, cur))
    .join(' + ');
  const items = [...rows]
    .sort((a, b) => Number(b.days_overdue ?? 0) - Number(a.days_overdue ?? 0))
    .slice(0, 10)
    .map(
      (r) =>
        `Invoice ${r.number}: ${formatAmount(Number(r.amount ?? 0), String(r.currency ?? 'EUR'))} from ${r.company ?? r.customer_name}, ${plural(Number(r.days_overdue ?? 0), 'day')} overdue`,
    );
  const phrase = count ? `${plural(count, 'overdue invoice')} worth ${money}` : 'no overdue invoices';
  const shown = count > items.length ? ` The ${items.length} most overdue:` : '';
  return {
    section: {
      title: 'Overdue invoices',
      summary: count ? `${phrase}.${shown}` : 'Nothing is overdue.',
      items,
    },
    phrase,
    total,
    count,
  };
}

function customersSection(rows: Row[], days: number): { section: SummarySection; phrase: string } {
  const items = rows.slice(0, 10).map((r) => `${r.name} (${r.company}, ${r.city}) — ${r.tier}`);
  const phrase = `${plural(rows.length, 'new customer')}`;
  return {
    section: {
      title: 'New customers',
      summary: rows.length
        ? `${phrase} in the last ${plural(days, 'day')}.`
        : `No new customers in the last ${plural(days, 'day')}.`,
      items,
    },
    phrase,
  };
}

function runsSection(stats: Row): { section: SummarySection; phrase: string } {
  const total = Number(stats.total_runs ?? 0);
  const rate =
    stats.success_rate === null || stats.success_rate === undefined ? null : Number(stats.success_rate);
  const top = Array.isArray(stats.top_skills) ? (stats.top_skills as Row[]) : [];
  const items = top
    .slice(0, 5)
    .map(
      (s) => `${s.skill}: ${plural(Number(s.runs), 'run')}${Number(s.failed) ? `, ${s.failed} failed` : ''}`,
    );
  const pending = Number(stats.pending_approvals ?? 0);
  if (pending) items.push(`${plural(pending, 'approval')} waiting for a decision`);
  const phrase = `${plural(total, 'run')}${rate === null ? '' : ` (${Math.round(rate * 100)}% succeeded)`}`;
  return {
    section: {
      title: 'Skillgate activity',
      summary: `${phrase} by ${plural(Number(stats.users ?? 0), 'user')}, ${Number(stats.failed ?? 0)} failed.`,
      items,
    },
    phrase,
  };
}

/**
 * `reports.compose_weekly_summary` (internal, the last step of `reports.weekly_summary`): turns
 * the outputs of the parallel steps (overdue invoices, new customers, run statistics) into a
 * headline, sections and a Markdown text for chat.
 */
export function composeWeeklySummary(input: ComposeInput) {
  const days = input.days ?? 7;
  const totals = (input.overdue as Row | undefined)?.totals;
  const overdue = overdueSection(
    rowsOf(input.overdue, 'invoices'),
    Array.isArray(totals) ? (totals as Row[]) : [],
  );
  const customers = customersSection(rowsOf(input.new_customers, 'customers'), days);
  const runs = runsSection((input.run_stats as Row) ?? {});
  const headline = `${overdue.phrase[0].toUpperCase()}${overdue.phrase.slice(1)} · ${customers.phrase} · ${runs.phrase}`;
  const sections = [overdue.section, customers.section, runs.section];
  const text = [
    `**Weekly summary** — ${headline}`,
    ...sections.map((s) => [`\n**${s.title}**: ${s.summary}`, ...s.items.map((i) => `- ${i}`)].join('\n')),
  ].join('\n');
  return {
    title: 'Weekly summary',
    headline,
    generated_at: new Date().toISOString(),
    days,
    sections,
    text,
    figures: {
      overdue_invoices: overdue.count,
      overdue_total: overdue.total,
      new_customers: rowsOf(input.new_customers, 'customers').length,
      runs: Number((input.run_stats as Row | undefined)?.total_runs ?? 0),
    },
  };
}

/** The `reports.compose_weekly_summary` builtin (pure: no database, no preview needed). */
export const composeWeeklySummaryBuiltin: BuiltinHandler = {
  async run(ctx: HandlerContext) {
    return { output: composeWeeklySummary(ctx.input as ComposeInput) };
  },
};
