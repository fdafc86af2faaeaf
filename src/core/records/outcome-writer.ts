import type { Db } from '../../db/db.js';
import { type RunOutcome, recordRunOutcomes } from './record-run-outcome.js';

/** Most outcomes written in one call (default 64). */
export const MAX_OUTCOME_BATCH = 64;

interface Pending {
  outcome: RunOutcome;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit for run outcomes. The first outcome of an idle writer waits one event-loop turn
 * (`setImmediate`), so outcomes of runs finishing in the same turn join it; outcomes submitted while
 * a call is in flight queue up and go together in the next call. Under concurrency the fixed cost
 * of a round trip, and the audit chain's head lock, are shared. `write` resolves once the outcome is committed. If a shared call
 * fails, each of its outcomes is retried alone, so one bad outcome never fails the others.
 */
export class OutcomeWriter {
  private queue: Pending[] = [];
  private writing = false;

  constructor(
    private readonly db: Db,
    private readonly maxBatch = MAX_OUTCOME_BATCH,
  ) {}

  /** Records `outcome` (see `recordRunOutcomes`); resolves when it is committed. */
  write(outcome: RunOutcome): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ outcome, resolve, reject });
      if (!this.writing) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.writing = true;
    try {
      // One turn of the event loop lets runs finishing in the same turn join this call: with an
      // embedded database each statement blocks the loop, so no queue would form otherwise.
      await new Promise<void>((resolve) => setImmediate(resolve));
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.maxBatch);
        try {
          await recordRunOutcomes(
            this.db,
            batch.map((p) => p.outcome),
          );
          for (const p of batch) p.resolve();
        } catch (err) {
          if (batch.length === 1) {
            batch[0].reject(err);
            continue;
          }
          for (const p of batch) {
            await recordRunOutcomes(this.db, [p.outcome]).then(p.resolve, p.reject);
          }
        }
      }
    } finally {
      this.writing = false;
    }
  }
}
