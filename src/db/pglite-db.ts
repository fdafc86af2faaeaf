import { mkdirSync } from 'node:fs';
import v8 from 'node:v8';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { SkillgateError } from '../core/errors.js';
import { lockDataDir } from './data-dir-lock.js';
import { type Db, parseNumeric, type Queryable, type QueryResult, TYPE_OIDS } from './db.js';

export interface PgliteDbOptions {
  /** Data directory; omit for an in-memory database. */
  dataDir?: string;
  /** A saved snapshot (`dumpDataDir`) to start from, e.g. a migrated test template. */
  loadDataDir?: Blob | File;
  /**
   * Postgres `shared_buffers` (default 16MB: one process with a small database; far less RSS than
   * Postgres' 128MB). Large vector searches want more (config `pglite.shared_buffers`).
   */
  sharedBuffers?: string;
  /**
   * How V8 compiles PGlite's WebAssembly (default `baseline`): `baseline` keeps to the Liftoff
   * compiler, `optimizing` lets hot functions tier up to TurboFan. TurboFan's compile memory stays
   * with the process (~80 MB of idle RSS) for up to ~1.4x faster compute-heavy queries. The V8
   * flag is process-wide and read when a module compiles, so it applies to this database and any
   * opened after it.
   */
  wasmTier?: WasmTier;
}

export type WasmTier = 'baseline' | 'optimizing';

function setWasmTier(tier: WasmTier): void {
  v8.setFlagsFromString(tier === 'baseline' ? '--liftoff-only' : '--no-liftoff-only');
}

const parsers = {
  [TYPE_OIDS.int8]: (v: string) => parseNumeric(v),
  [TYPE_OIDS.numeric]: (v: string) => parseNumeric(v),
};

function wrap(q: Pick<PGlite, 'query' | 'exec'>): Queryable {
  return {
    async query<T>(sql: string, params?: readonly unknown[]): Promise<QueryResult<T>> {
      const r = await q.query<T>(sql, params as unknown[] | undefined);
      return { rows: r.rows, rowCount: r.rowCount ?? r.affectedRows ?? r.rows.length };
    },
    async exec(sql: string): Promise<void> {
      await q.exec(sql);
    },
  };
}

/** The embedded default: Postgres in WASM with pgvector, data under `$SKILLGATE_HOME/pgdata`. */
export class PgliteDb implements Db {
  readonly kind = 'pglite' as const;
  readonly description: string;
  private readonly inner: Queryable;

  private constructor(
    readonly pg: PGlite,
    description: string,
    private readonly unlock?: () => void,
  ) {
    this.description = description;
    this.inner = wrap(pg);
  }

  static async open(options: PgliteDbOptions = {}): Promise<PgliteDb> {
    let unlock: (() => void) | undefined;
    try {
      if (options.dataDir) {
        mkdirSync(options.dataDir, { recursive: true });
        unlock = lockDataDir(options.dataDir);
      }
      setWasmTier(options.wasmTier ?? 'baseline');
      const pg = await PGlite.create({
        dataDir: options.dataDir,
        loadDataDir: options.loadDataDir,
        extensions: { vector },
        parsers,
        // One process, one connection: Postgres' default 128 MB of shared buffers mostly sits idle.
        postgresqlconf: `shared_buffers=${options.sharedBuffers ?? '16MB'}`,
      });
      return new PgliteDb(pg, options.dataDir ? `pglite:${options.dataDir}` : 'pglite:memory', unlock);
    } catch (err) {
      unlock?.();
      if (err instanceof SkillgateError) throw err;
      throw new SkillgateError(
        'storage.unavailable',
        `Cannot open the embedded database${options.dataDir ? ` in ${options.dataDir}` : ''}: ${(err as Error).message}`,
        {},
        { cause: err },
      );
    }
  }

  query<T>(sql: string, params?: readonly unknown[]): Promise<QueryResult<T>> {
    return this.inner.query<T>(sql, params);
  }

  exec(sql: string): Promise<void> {
    return this.inner.exec(sql);
  }

  tx<T>(fn: (q: Queryable) => Promise<T>): Promise<T> {
    return this.pg.transaction((t) => fn(wrap(t)));
  }

  /** LISTEN through PGlite's own notification support (its single connection). */
  async listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>> {
    const stop = await this.pg.listen(channel, onNotify);
    return async () => {
      if (!this.pg.closed) await stop();
    };
  }

  /** A snapshot of the whole data directory (gzip tarball), used by backups and test templates. */
  dump(): Promise<Blob | File> {
    return this.pg.dumpDataDir('gzip');
  }

  async close(): Promise<void> {
    if (!this.pg.closed) await this.pg.close();
    this.unlock?.();
  }
}
