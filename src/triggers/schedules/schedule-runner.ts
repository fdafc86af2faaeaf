import type { Logger } from 'pino';
import { appendAudit } from '../../core/audit/audit-log.js';
import type { Config } from '../../core/config/config-schema.js';
import type { Principal } from '../../core/principal.js';
import { resolvePrincipal } from '../../core/principals.js';
import type { Db, Queryable } from '../../db/db.js';
import { nextFireAfter } from '../../tools/builtins/schedules/next-fire.js';
import { type ScheduleRecord, scheduleFromRow } from '../../tools/builtins/schedules/schedule-store.js';
import type { JobQueue } from '../jobs/job-queue.js';

export interface ScheduleRunnerOptions {
  db: Db;
  config: Config;
  logger: Logger;
  queue: JobQueue;
}

export interface TickResult {
  /** Jobs queued. */
  fired: number;
  /** Missed runs not made up for (downtime, `missed: skip`). */
  skipped: number;
  jobIds: string[];
}

/** At most this many due times of one schedule are fired in one tick (a very late per-second cron). */
const MAX_SLOTS = 1000;
const BATCH = 20;

/**
 * Fires due schedules: each due time becomes one durable job (channel `schedule`, acting as the
 * schedule's owner; the engine applies policy, budget and approval when it runs). Exactly once
 * across replicas: due rows are taken with `FOR UPDATE SKIP LOCKED` and advanced in the same
 * transaction that queues their jobs, and each job carries the key `schedule:<id>:<due time>`.
 *
 * Due times older than `schedules.misfire_grace` count as missed (the server was down): `skip`
 * drops them, `catch_up_once` fires one run for all of them. A one-off schedule is disabled after
 * it fired. Disabled schedules are never looked at.
 */
export class ScheduleRunner {
  constructor(private readonly options: ScheduleRunnerOptions) {}

  async tick(now = new Date()): Promise<TickResult> {
    await this.options.queue.start();
    const total: TickResult = { fired: 0, skipped: 0, jobIds: [] };
    for (;;) {
      const { taken, ...r } = await this.options.db.tx(async (q) => {
        const due = await q.query<Parameters<typeof scheduleFromRow>[0]>(
          `SELECT * FROM schedules WHERE enabled AND next_run_at <= $1
           ORDER BY next_run_at LIMIT ${BATCH} FOR UPDATE SKIP LOCKED`,
          [now],
        );
        const out: TickResult & { taken: number } = {
          fired: 0,
          skipped: 0,
          jobIds: [],
          taken: due.rows.length,
        };
        for (const row of due.rows) {
          const s = await this.fire(q, scheduleFromRow(row), now);
          out.fired += s.fired;
          out.skipped += s.skipped;
          out.jobIds.push(...s.jobIds);
        }
        return out;
      });
      total.fired += r.fired;
      total.skipped += r.skipped;
      total.jobIds.push(...r.jobIds);
      if (taken < BATCH) break;
    }
    if (total.fired > 0) this.options.queue.emit('enqueued', total.jobIds[0]);
    return total;
  }

  private owner(s: ScheduleRecord): Principal {
    try {
      return resolvePrincipal(this.options.config, s.owner);
    } catch {
      return s.ownerSnapshot;
    }
  }

  private async fire(q: Queryable, s: ScheduleRecord, now: Date): Promise<TickResult> {
    const grace = this.options.config.schedules.misfire_grace;
    const onTime: Date[] = [];
    const missed: Date[] = [];
    let next: Date | null = s.nextRunAt;
    if (s.cron) {
      while (next && next <= now && onTime.length + missed.length < MAX_SLOTS) {
        (now.getTime() - next.getTime() > grace ? missed : onTime).push(next);
        next = nextFireAfter(s.cron, s.timezone, next);
      }
      if (next && next <= now) next = nextFireAfter(s.cron, s.timezone, now);
    } else if (next) {
      (now.getTime() - next.getTime() > grace ? missed : onTime).push(next);
      next = null;
    }
    const slots = [...onTime];
    if (missed.length > 0 && s.missed === 'catch_up_once') slots.unshift(missed[missed.length - 1]);
    const skipped = missed.length - (s.missed === 'catch_up_once' && missed.length > 0 ? 1 : 0);
    const principal = this.owner(s);
    const jobIds: string[] = [];
    for (const slot of slots) {
      const r = await this.options.queue.enqueue(
        {
          principal,
          channel: 'schedule',
          source: 'schedule',
          sourceRef: s.id,
          skill: s.skillId,
          input: s.input,
          dedupeKey: `schedule:${s.id}:${slot.toISOString()}`,
        },
        q,
      );
      if (!r.duplicate) jobIds.push(r.jobId);
    }
    await q.query(
      `UPDATE schedules SET next_run_at = $2, last_run_at = COALESCE($3, last_run_at),
         last_job_id = COALESCE($4, last_job_id), fired = fired + $5, skipped = skipped + $6,
         enabled = enabled AND $2::timestamptz IS NOT NULL, updated_at = now()
       WHERE id = $1`,
      [s.id, next, slots.at(-1) ?? null, jobIds.at(-1) ?? null, jobIds.length, skipped],
    );
    if (missed.length > 0) {
      this.options.logger.warn(
        { schedule: s.id, missed: missed.length, policy: s.missed },
        'schedule missed runs during downtime',
      );
      await appendAudit(q, [
        {
          tenant: s.tenant,
          actor: 'system',
          action: 'schedule.missed',
          target: s.skillId,
          data: {
            schedule: s.id,
            missed: missed.length,
            policy: s.missed,
            first: missed[0].toISOString(),
            last: missed[missed.length - 1].toISOString(),
          },
          ts: now,
        },
      ]);
    }
    return { fired: jobIds.length, skipped, jobIds };
  }
}
