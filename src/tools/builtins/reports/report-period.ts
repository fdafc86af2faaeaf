import { SkillgateError } from '../../../core/errors.js';

export interface PeriodInput {
  /** Calendar period in UTC up to now: today, this ISO week (from Monday), this month. */
  period?: 'day' | 'week' | 'month';
  /** `YYYY-MM-DD`, inclusive; wins over `period`. */
  from?: string;
  /** `YYYY-MM-DD`, inclusive; default now. Needs `from`. */
  to?: string;
}

export interface ReportPeriod {
  from: Date;
  /** Exclusive. */
  to: Date;
  label: string;
}

const DAY = 86_400_000;

function utcDay(iso: string, field: string): Date {
  const d = new Date(`${iso}T00:00:00.000Z`);
  if (Number.isNaN(d.getTime())) {
    throw new SkillgateError(
      'skill.input_invalid',
      `${field} must be a date like 2025-01-31, not "${iso}".`,
      { field },
    );
  }
  return d;
}

/**
 * The time range of a report: `from`/`to` dates (UTC, both inclusive) or a calendar period that
 * matches the budget periods (UTC day, ISO week from Monday, month), ending now. Default `week`.
 */
export function resolvePeriod(input: PeriodInput, now: Date = new Date()): ReportPeriod {
  if (input.to && !input.from) {
    throw new SkillgateError('skill.input_invalid', 'Give `from` together with `to` (or use `period`).', {
      field: 'from',
    });
  }
  if (input.from) {
    const from = utcDay(input.from, 'from');
    const to = input.to ? new Date(utcDay(input.to, 'to').getTime() + DAY) : now;
    if (to <= from) {
      throw new SkillgateError(
        'skill.input_invalid',
        `The period is empty: \`to\` (${input.to}) is before \`from\` (${input.from}).`,
        {
          field: 'to',
        },
      );
    }
    return { from, to, label: `${input.from} to ${input.to ?? 'now'}` };
  }
  const today = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const period = input.period ?? 'week';
  if (period === 'day') return { from: today, to: now, label: `today (${today.toISOString().slice(0, 10)})` };
  if (period === 'month') {
    const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
    return { from, to: now, label: `this month (${from.toISOString().slice(0, 7)})` };
  }
  const sinceMonday = (today.getUTCDay() + 6) % 7;
  const from = new Date(today.getTime() - sinceMonday * DAY);
  return { from, to: now, label: `this week (since Monday ${from.toISOString().slice(0, 10)})` };
}
