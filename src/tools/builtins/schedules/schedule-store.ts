import { z } from 'zod';
import { SkillgateError } from '../../../core/errors.js';
import { newId } from '../../../core/ids.js';
import type { Principal } from '../../../core/principal.js';
import type { Queryable } from '../../../db/db.js';
import { SKILL_ID_PATTERN } from '../../skill-spec.js';
import { isTimeZone, nextFireAfter } from './next-fire.js';

/** What to schedule: a skill with an input, on a cron expression in a time zone or once at `run_at`. */
export const ScheduleSpecSchema = z
  .object({
    skill: z.string().regex(SKILL_ID_PATTERN, 'a skill id such as reports.weekly_summary'),
    input: z.record(z.string(), z.unknown()).default({}),
    /** 5 fields (`0 9 * * 1-5`), or 6 with seconds first (`*\/10 * * * * *`). */
    cron: z.string().min(1).max(200).optional(),
    /** IANA time zone of the cron expression, and of a `run_at` without an offset (default UTC). */
    timezone: z.string().default('UTC'),
    /** ISO-8601 date-time for a one-off run, e.g. `2026-05-01T09:00:00+02:00`. */
    run_at: z.string().min(10).optional(),
    name: z.string().max(200).optional(),
    /** After downtime: `skip` the missed runs, or `catch_up_once` (one run for all of them). Default: skip for cron, catch_up_once for run_at. */
    missed: z.enum(['skip', 'catch_up_once']).optional(),
    enabled: z.boolean().default(true),
  })
  .refine((s) => (s.cron === undefined) !== (s.run_at === undefined), {
    message: 'give either cron or run_at',
  });
export type ScheduleSpec = z.infer<typeof ScheduleSpecSchema>;

export interface ScheduleRecord {
  id: string;
  tenant: string;
  name: string | null;
  owner: string;
  ownerSnapshot: Principal;
  skillId: string;
  input: Record<string, unknown>;
  cron: string | null;
  timezone: string;
  runAt: Date | null;
  missed: 'skip' | 'catch_up_once';
  enabled: boolean;
  nextRunAt: Date | null;
  lastRunAt: Date | null;
  lastJobId: string | null;
  fired: number;
  skipped: number;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
}

interface ScheduleRow {
  id: string;
  tenant: string;
  name: string | null;
  owner: string;
  owner_snapshot: Principal;
  skill_id: string;
  input: Record<string, unknown>;
  cron: string | null;
  timezone: string;
  run_at: Date | null;
  missed: 'skip' | 'catch_up_once';
  enabled: boolean;
  next_run_at: Date | null;
  last_run_at: Date | null;
  last_job_id: string | null;
  fired: number;
  skipped: number;
  created_by: string;
  created_at: Date;
  updated_at: Date;
}

export function scheduleFromRow(r: ScheduleRow): ScheduleRecord {
  return {
    id: r.id,
    tenant: r.tenant,
    name: r.name,
    owner: r.owner,
    ownerSnapshot: r.owner_snapshot,
    skillId: r.skill_id,
    input: r.input ?? {},
    cron: r.cron,
    timezone: r.timezone,
    runAt: r.run_at,
    missed: r.missed,
    enabled: r.enabled,
    nextRunAt: r.next_run_at,
    lastRunAt: r.last_run_at,
    lastJobId: r.last_job_id,
    fired: r.fired,
    skipped: r.skipped,
    createdBy: r.created_by,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** A local date-time without offset (`2026-05-01T09:00`) read in `timezone`. */
function zonedToUtc(naive: string, timezone: string): Date {
  const asUtc = new Date(`${naive}Z`);
  const fmt = new Intl.DateTimeFormat('en-US', {
    timeZone: timezone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
  const p = Object.fromEntries(fmt.formatToParts(asUtc).map((x) => [x.type, Number(x.value)]));
  const local = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return new Date(asUtc.getTime() - (local - asUtc.getTime()));
}

/** Parses `run_at`: an ISO-8601 date-time, with an offset or `Z`, or local to `timezone`. */
export function parseRunAt(text: string, timezone: string): Date {
  const hasOffset = /(Z|[+-]\d{2}:?\d{2})$/i.test(text.trim());
  const d = hasOffset ? new Date(text) : zonedToUtc(text.trim(), timezone);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text.trim()) || Number.isNaN(d.getTime())) {
    throw new SkillgateError('schedule.invalid', `run_at "${text}" is not an ISO-8601 date-time.`, {
      run_at: text,
    });
  }
  return d;
}

/** Validates a spec and computes its first run time after `now`. Throws `schedule.invalid`. */
export function firstRun(spec: ScheduleSpec, now: Date): { nextRunAt: Date | null; runAt: Date | null } {
  if (!isTimeZone(spec.timezone)) {
    throw new SkillgateError('schedule.invalid', `Unknown time zone "${spec.timezone}".`, {
      timezone: spec.timezone,
    });
  }
  if (spec.run_at) {
    const runAt = parseRunAt(spec.run_at, spec.timezone);
    return { nextRunAt: runAt, runAt };
  }
  return { nextRunAt: nextFireAfter(spec.cron!, spec.timezone, now), runAt: null };
}

/** Stores a schedule owned by `owner` (its runs act as them); returns it with its first run time. */
export async function createSchedule(
  q: Queryable,
  spec: ScheduleSpec,
  owner: Principal,
  now = new Date(),
): Promise<ScheduleRecord> {
  const { nextRunAt, runAt } = firstRun(spec, now);
  const r = await q.query<ScheduleRow>(
    `INSERT INTO schedules (id, tenant, name, owner, owner_snapshot, skill_id, input, cron, timezone, run_at, missed,
       enabled, next_run_at, created_by)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$4) RETURNING *`,
    [
      newId('sch'),
      owner.tenant,
      spec.name ?? null,
      owner.id,
      JSON.stringify({ id: owner.id, tenant: owner.tenant, roles: owner.roles }),
      spec.skill,
      JSON.stringify(spec.input),
      spec.cron ?? null,
      spec.timezone,
      runAt,
      spec.missed ?? (runAt ? 'catch_up_once' : 'skip'),
      spec.enabled,
      nextRunAt,
    ],
  );
  return scheduleFromRow(r.rows[0]);
}

export async function getSchedule(q: Queryable, id: string, tenant: string): Promise<ScheduleRecord> {
  const r = await q.query<ScheduleRow>('SELECT * FROM schedules WHERE id = $1 AND tenant = $2', [id, tenant]);
  if (!r.rows[0]) throw new SkillgateError('schedule.not_found', `No schedule "${id}".`, { schedule: id });
  return scheduleFromRow(r.rows[0]);
}

export async function listSchedules(q: Queryable, tenant: string, limit = 200): Promise<ScheduleRecord[]> {
  const r = await q.query<ScheduleRow>(
    'SELECT * FROM schedules WHERE tenant = $1 ORDER BY created_at DESC, id DESC LIMIT $2',
    [tenant, limit],
  );
  return r.rows.map(scheduleFromRow);
}

/**
 * Enables or disables a schedule. Enabling a cron schedule starts from the next fire time after
 * `now` (runs missed while disabled never happen); a one-off keeps its `run_at`.
 */
export async function setScheduleEnabled(
  q: Queryable,
  id: string,
  tenant: string,
  enabled: boolean,
  now = new Date(),
): Promise<ScheduleRecord> {
  const s = await getSchedule(q, id, tenant);
  const next = !enabled
    ? s.nextRunAt
    : s.cron
      ? nextFireAfter(s.cron, s.timezone, now)
      : s.lastRunAt
        ? null
        : s.runAt;
  const r = await q.query<ScheduleRow>(
    'UPDATE schedules SET enabled = $2, next_run_at = $3, updated_at = now() WHERE id = $1 RETURNING *',
    [id, enabled && next !== null, next],
  );
  return scheduleFromRow(r.rows[0]);
}

export async function deleteSchedule(q: Queryable, id: string, tenant: string): Promise<void> {
  const r = await q.query('DELETE FROM schedules WHERE id = $1 AND tenant = $2 RETURNING id', [id, tenant]);
  if (r.rows.length === 0)
    throw new SkillgateError('schedule.not_found', `No schedule "${id}".`, { schedule: id });
}
