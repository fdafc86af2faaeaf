/**
 * The narrow storage port. SQL is written once (Postgres dialect) and runs on every adapter:
 * PGlite in-process (embedded default) and node-postgres `Pool` (`DATABASE_URL`).
 *
 * Invariants every adapter keeps:
 * - `query` runs exactly one statement with `$1..$n` parameters; `exec` runs a script of several
 *   statements without parameters.
 * - Values come back the same way on every adapter: `int8`/`numeric` as JS numbers, `json`/`jsonb`
 *   parsed, `timestamptz` as `Date`.
 * - Inside `tx(fn)` use only the `Queryable` passed to `fn`: PGlite has a single connection, so a
 *   query on the outer `Db` from inside a transaction would wait for the transaction forever.
 */
export type Row = Record<string, unknown>;

export interface QueryResult<T = Row> {
  rows: T[];
  rowCount: number;
}

export interface Queryable {
  query<T = Row>(sql: string, params?: readonly unknown[]): Promise<QueryResult<T>>;
  exec(sql: string): Promise<void>;
}

export type DbKind = 'pglite' | 'postgres';

export interface Db extends Queryable {
  readonly kind: DbKind;
  /** A description safe to log (no password). */
  readonly description: string;
  /** Runs `fn` in a transaction: commit when it resolves, roll back when it throws. */
  tx<T>(fn: (q: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  /**
   * Optional: subscribes to Postgres notifications (`LISTEN channel`; senders use `pg_notify`).
   * Resolves once listening, to a function that stops this subscription. `channel` must be a plain
   * lower-case identifier. Delivery is best effort: a notification sent while the listening
   * connection is being re-established is lost. Adapters without it cannot relay between replicas.
   */
  listen?(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>>;
}

/** Postgres type OIDs we parse the same way on every adapter. */
export const TYPE_OIDS = { int8: 20, numeric: 1700 } as const;

export function parseNumeric(value: string): number {
  return Number(value);
}
