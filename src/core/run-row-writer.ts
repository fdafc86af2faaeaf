import type { Db, Queryable } from '../db/db.js';
import type { Skill } from '../tools/skill.js';
import type { RunRecord } from './records/run-record.js';
import { insertRun, updateRun } from './records/run-store.js';

/** How long a read-only run may go without a `running` row (default 50 ms). */
export const RUNNING_ROW_GRACE_MS = 50;

/**
 * True when a new run's `running` row may wait for `RUNNING_ROW_GRACE_MS`: the skill only reads,
 * costs nothing (no budget reservation to pair with), is not a pipeline (whose steps show
 * progress), and the request has no idempotency key (whose claim points at the row).
 */
export function mayDeferRunningRow(skill: Skill, idempotencyKey: string | undefined): boolean {
  return (
    skill.spec.effects === 'read' &&
    skill.spec.cost.estimate_usd <= 0 &&
    skill.spec.handler.type !== 'pipeline' &&
    !idempotencyKey
  );
}

/**
 * Writes the `running` row of a run that passed its gates. Eager runs insert (or, resumed after
 * approval, update) it before the handler starts. A deferred run writes it only if the handler is
 * still running after the grace period, or when the run records a step (`run_steps` references the
 * row); a fast read that finishes first is recorded once, in its final state, by the caller
 * (`written` is false then). Nothing with an effect is ever deferred, so a crash inside the grace
 * period loses no record of a change.
 */
export class RunRowWriter {
  private write?: Promise<void>;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly db: Db,
    private readonly record: RunRecord,
    private readonly mode: 'insert' | 'update' | 'deferred',
  ) {}

  /** Writes the row now (eager modes, on `q`), or arms the grace timer (deferred). */
  async begin(q: Queryable = this.db): Promise<void> {
    if (this.mode === 'insert') await insertRun(q, this.record);
    else if (this.mode === 'update') {
      await updateRun(q, this.record.id, { status: 'running', startedAt: this.record.startedAt! });
    } else {
      this.timer = setTimeout(() => {
        this.ensure().catch(() => {});
      }, RUNNING_ROW_GRACE_MS);
      this.timer.unref();
      return;
    }
    this.write = Promise.resolve();
  }

  /** Makes sure the row exists (a deferred run inserts its `running` snapshot now). */
  ensure(): Promise<void> {
    if (!this.write) {
      clearTimeout(this.timer);
      this.write = insertRun(this.db, { ...this.record });
    }
    return this.write;
  }

  /** Stops the timer and waits for a write in flight; true when the row exists. */
  async settle(): Promise<boolean> {
    clearTimeout(this.timer);
    if (!this.write) return false;
    try {
      await this.write;
      return true;
    } catch {
      return false; // the caller writes the whole row at the end instead
    }
  }
}
