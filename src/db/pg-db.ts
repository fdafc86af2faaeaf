import pg from 'pg';
import { SkillgateError } from '../core/errors.js';
import { type Db, parseNumeric, type Queryable, type QueryResult, TYPE_OIDS } from './db.js';
import { PgListener } from './pg-listener.js';

const types = {
  getTypeParser(oid: number, format?: string) {
    if (oid === TYPE_OIDS.int8 || oid === TYPE_OIDS.numeric) return parseNumeric;
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

export interface PgDbOptions {
  connectionString: string;
  /** Pool size; default 10. */
  max?: number;
}

function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres:(unparseable url)';
  }
}

function wrapClient(c: pg.Pool | pg.PoolClient): Queryable {
  return {
    async query<T>(sql: string, params?: readonly unknown[]): Promise<QueryResult<T>> {
      const r = await c.query({ text: sql, values: params as unknown[] | undefined, types });
      return { rows: r.rows as T[], rowCount: r.rowCount ?? r.rows.length };
    },
    async exec(sql: string): Promise<void> {
      await c.query({ text: sql, types });
    },
  };
}

/** node-postgres `Pool` against Postgres 15+ with pgvector (`DATABASE_URL`). */
export class PgDb implements Db {
  readonly kind = 'postgres' as const;
  readonly description: string;
  readonly pool: pg.Pool;
  private readonly inner: Queryable;
  private readonly connectionString: string;
  private listener?: PgListener;

  constructor(options: PgDbOptions) {
    this.connectionString = options.connectionString;
    this.description = redactUrl(options.connectionString);
    this.pool = new pg.Pool({ connectionString: options.connectionString, max: options.max ?? 10 });
    // An idle client that loses its connection must not crash the process.
    this.pool.on('error', () => {});
    this.inner = wrapClient(this.pool);
  }

  static async open(options: PgDbOptions): Promise<PgDb> {
    const db = new PgDb(options);
    try {
      await db.pool.query('select 1');
    } catch (err) {
      await db.pool.end().catch(() => {});
      throw new SkillgateError(
        'storage.unavailable',
        `Cannot connect to Postgres at ${db.description}: ${(err as Error).message}`,
        {},
        { cause: err },
      );
    }
    return db;
  }

  query<T>(sql: string, params?: readonly unknown[]): Promise<QueryResult<T>> {
    return this.inner.query<T>(sql, params);
  }

  exec(sql: string): Promise<void> {
    return this.inner.exec(sql);
  }

  async tx<T>(fn: (q: Queryable) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await fn(wrapClient(client));
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  }

  /** LISTEN on a dedicated connection outside the pool (opened on first use, reconnects on error). */
  listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>> {
    this.listener ??= new PgListener({ connectionString: this.connectionString });
    return this.listener.listen(channel, onNotify);
  }

  async close(): Promise<void> {
    await this.listener?.close();
    await this.pool.end();
  }
}
