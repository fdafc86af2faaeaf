import type { Db, Queryable } from '../../../db/db.js';

class Rollback {
  constructor(readonly value: unknown) {}
}

/**
 * Runs `fn` in a transaction and always rolls it back, returning what `fn` returned: a dry run
 * that executes the real statements (so the preview shows exactly the rows a run would change)
 * and leaves nothing behind. Errors thrown by `fn` propagate.
 */
export async function inRolledBackTx<T>(db: Db, fn: (q: Queryable) => Promise<T>): Promise<T> {
  try {
    await db.tx(async (q) => {
      throw new Rollback(await fn(q));
    });
  } catch (err) {
    if (err instanceof Rollback) return err.value as T;
    throw err;
  }
  throw new Error('unreachable: the preview transaction committed');
}
