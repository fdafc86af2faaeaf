import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SkillgateError } from '../core/errors.js';
import { packageRoot } from '../core/package-root.js';
import type { Db } from './db.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrateResult {
  applied: Migration[];
  current: number;
}

/** Lock id shared by all replicas so that only one applies migrations at a time. */
const MIGRATION_LOCK = 815_512_001;

export function migrationsDir(): string {
  return join(packageRoot(), 'src', 'db', 'migrations');
}

/** Reads `NNN_name.sql` files in version order. Versions must be unique. */
export function loadMigrations(dir = migrationsDir()): Migration[] {
  const out: Migration[] = [];
  for (const file of readdirSync(dir).sort()) {
    const m = /^(\d+)_([a-z0-9_]+)\.sql$/.exec(file);
    if (!m) continue;
    const sql = readFileSync(join(dir, file), 'utf8');
    out.push({
      version: Number(m[1]),
      name: m[2],
      sql,
      checksum: createHash('sha256').update(sql).digest('hex').slice(0, 16),
    });
  }
  const seen = new Set<number>();
  for (const m of out) {
    if (seen.has(m.version)) throw new Error(`Duplicate migration version ${m.version} in ${dir}`);
    seen.add(m.version);
  }
  return out.sort((a, b) => a.version - b.version);
}

/**
 * Applies pending migrations, each in its own transaction under an advisory lock, and records them
 * in `schema_migrations`. Idempotent. A failing migration rolls back completely (the schema is left
 * as it was) and raises `storage.migration_failed`. An applied migration whose file changed since is
 * reported, not re-applied.
 */
export async function migrate(db: Db, migrations = loadMigrations()): Promise<MigrateResult> {
  // Under the lock too: concurrent `CREATE TABLE IF NOT EXISTS` on an empty database can still fail.
  await db.tx(async (q) => {
    await q.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await q.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
  });
  const applied: Migration[] = [];
  for (const m of migrations) {
    const done = await db.tx(async (q) => {
      await q.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      const existing = await q.query<{ checksum: string }>(
        'SELECT checksum FROM schema_migrations WHERE version = $1',
        [m.version],
      );
      if (existing.rows.length > 0) {
        if (existing.rows[0].checksum !== m.checksum) {
          throw new SkillgateError(
            'storage.migration_failed',
            `Migration ${m.version}_${m.name} was changed after it was applied (checksum ${existing.rows[0].checksum} != ${m.checksum}); add a new migration instead of editing an applied one.`,
            { version: m.version },
          );
        }
        return false;
      }
      try {
        await q.exec(m.sql);
      } catch (err) {
        throw new SkillgateError(
          'storage.migration_failed',
          `Migration ${m.version}_${m.name} failed and was rolled back: ${(err as Error).message}`,
          { version: m.version },
          { cause: err },
        );
      }
      await q.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
        m.version,
        m.name,
        m.checksum,
      ]);
      return true;
    });
    if (done) applied.push(m);
  }
  return { applied, current: await currentVersion(db) };
}

export async function currentVersion(db: Db): Promise<number> {
  try {
    const r = await db.query<{ v: number | null }>('SELECT max(version)::int AS v FROM schema_migrations');
    return r.rows[0]?.v ?? 0;
  } catch {
    return 0;
  }
}

/** True when every shipped migration is applied (used by `/readyz`). */
export async function migrationsUpToDate(db: Db, migrations = loadMigrations()): Promise<boolean> {
  const latest = migrations.at(-1)?.version ?? 0;
  return (await currentVersion(db)) >= latest;
}
