import type { Config } from '../../core/config/config-schema.js';
import { SkillgateError } from '../../core/errors.js';
import type { Db } from '../../db/db.js';
import { PgDb } from '../../db/pg-db.js';

export interface SqlConnectorPoolsOptions {
  /** Opens a database for a DSN; default a node-postgres pool (`PgDb.open`, `max` clients). */
  open?: (dsn: string) => Promise<Db>;
  /** Pool size of each connector; default 5. */
  max?: number;
}

/**
 * The database pools of `connectors.<id>` (type `postgres`, DSN in the env var `dsn_env`), shared
 * by every sql handler. A pool is opened lazily on first use and cached; when the DSN changes
 * (config or secret edited) the old pool is closed and a new one opened. Create one per process
 * and `close()` it on shutdown.
 */
export class SqlConnectorPools {
  private readonly pools = new Map<string, { dsn: string; db: Promise<Db> }>();

  constructor(private readonly options: SqlConnectorPoolsOptions = {}) {}

  /**
   * The database of connector `id`. Throws `config.invalid` when the connector is not declared,
   * is not of type postgres, or its DSN variable is unset; `storage.unavailable` when it cannot
   * connect.
   */
  async get(id: string, config: Config, secret: (name: string) => string | undefined): Promise<Db> {
    const connector = config.connectors[id];
    if (!connector)
      throw new SkillgateError('config.invalid', `No connector "${id}" is configured.`, { connector: id });
    if (connector.type !== 'postgres' || !connector.dsn_env) {
      throw new SkillgateError(
        'config.invalid',
        `Connector "${id}" must be of type postgres with dsn_env to run sql skills.`,
        { connector: id },
      );
    }
    const dsn = secret(connector.dsn_env);
    if (!dsn) {
      throw new SkillgateError(
        'config.invalid',
        `The DSN variable ${connector.dsn_env} of connector "${id}" is not set.`,
        {
          connector: id,
        },
      );
    }
    const cached = this.pools.get(id);
    if (cached && cached.dsn === dsn) return cached.db;
    if (cached) void cached.db.then((db) => db.close()).catch(() => {});
    const open =
      this.options.open ??
      ((url: string) => PgDb.open({ connectionString: url, max: this.options.max ?? 5 }));
    const db = open(dsn);
    this.pools.set(id, { dsn, db });
    // A failed open is not cached: the next run tries again.
    db.catch(() => {
      if (this.pools.get(id)?.db === db) this.pools.delete(id);
    });
    return db;
  }

  /** Closes every pool. The object stays usable (pools reopen on demand). */
  async close(): Promise<void> {
    const all = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(all.map((p) => p.db.then((db) => db.close()).catch(() => {})));
  }
}
