import { rename, stat, unlink } from 'node:fs/promises';
import { SkillgateError } from '../core/errors.js';
import {
  BACKUP_FORMAT,
  BACKUP_FORMAT_VERSION,
  type BackupHeader,
  BackupHeaderSchema,
  type BackupInfo,
  LineWriter,
  type RestoreInfo,
  ROW_PREFIX,
  readLines,
  type TableCount,
} from './backup-format.js';
import type { Db, Queryable } from './db.js';
import { restoreRows } from './restore-rows.js';
import {
  listSequences,
  listTables,
  qualifiedName,
  quoteIdent,
  type TableInfo,
  tableKey,
} from './table-catalog.js';

export type { BackupInfo, RestoreInfo } from './backup-format.js';

export interface BackupOptions {
  /** Schemas whose tables are backed up; default `['public', 'demo']` (`schema_migrations` never). */
  schemas?: readonly string[];
  /** Rows fetched per page (keyset over the primary key); default 1000, at least 1. */
  batchRows?: number;
}

export interface RestoreOptions {
  /** Rows inserted per statement; default 1000, at least 1 (a batch is also cut at ~4 MB of JSON). */
  batchRows?: number;
}

const DEFAULT_SCHEMAS = ['public', 'demo'];
const DEFAULT_BATCH = 1000;

function batchSize(n: number | undefined): number {
  return n === undefined || !Number.isFinite(n) ? DEFAULT_BATCH : Math.max(1, Math.trunc(n));
}

/** Highest applied migration, 0 when `schema_migrations` is missing or empty. */
async function schemaVersion(q: Queryable): Promise<number> {
  const exists = await q.query<{ t: string | null }>(`SELECT to_regclass('schema_migrations')::text AS t`);
  if (!exists.rows[0]?.t) return 0;
  const r = await q.query<{ v: number | null }>('SELECT max(version)::int AS v FROM schema_migrations');
  return r.rows[0]?.v ?? 0;
}

function fail(action: string, file: string, err: unknown, outcome: string): SkillgateError {
  if (err instanceof SkillgateError && err.code === 'storage.backup_failed') return err;
  const message = err instanceof Error ? err.message : String(err);
  return new SkillgateError(
    'storage.backup_failed',
    `${action} ${file} ${outcome}: ${message}`,
    { file },
    { cause: err },
  );
}

/** Streams one table's rows, page by page, keyset-paginated over the primary key (or `ctid`). */
async function dumpTable(q: Queryable, t: TableInfo, out: LineWriter, batch: number): Promise<number> {
  const keys = t.primaryKey.length > 0 ? t.primaryKey : ['ctid'];
  const types = new Map(t.columns.map((c) => [c.name, c.type]));
  const keyList = keys.map((k) => `t.${quoteIdent(k)}`).join(', ');
  const keySelect = keys.map((k, i) => `t.${quoteIdent(k)}::text AS k${i}`).join(', ');
  const keyParams = keys.map((k, i) => `$${i + 1}::text::${types.get(k) ?? 'tid'}`).join(', ');
  const base = `SELECT row_to_json(t)::text AS j, ${keySelect} FROM ${qualifiedName(t)} t`;
  const first = `${base} ORDER BY ${keyList} LIMIT ${batch}`;
  const next = `${base} WHERE (${keyList}) > (${keyParams}) ORDER BY ${keyList} LIMIT ${batch}`;
  let last: string[] | null = null;
  let rows = 0;
  for (;;) {
    const page: { rows: Record<string, string>[] } = await q.query<Record<string, string>>(
      last ? next : first,
      last ?? [],
    );
    if (page.rows.length > 0) {
      // A `json` column keeps its text verbatim; raw line breaks in it can only be JSON whitespace.
      await out.write(page.rows.map((row) => `${ROW_PREFIX}${row.j.replace(/[\r\n]/g, ' ')}}`).join('\n'));
    }
    rows += page.rows.length;
    if (page.rows.length < batch) return rows;
    const lastRow: Record<string, string> = page.rows[page.rows.length - 1];
    last = keys.map((_, i) => lastRow[`k${i}`]);
  }
}

/**
 * Writes a consistent logical backup of `db` to `file` (gzip'd JSON lines, see `backup-format.ts`):
 * every table of `options.schemas` except `schema_migrations`, read in one repeatable-read,
 * read-only transaction, page by page, so memory stays flat however big the tables are. The same
 * file restores on PGlite and Postgres. The file appears atomically (written to `file.tmp`, then
 * renamed). On PGlite the transaction holds the single connection for the duration of the backup.
 * Failures raise `storage.backup_failed`.
 */
export async function backupDb(db: Db, file: string, options: BackupOptions = {}): Promise<BackupInfo> {
  const started = performance.now();
  const schemas = [...(options.schemas ?? DEFAULT_SCHEMAS)];
  const batch = batchSize(options.batchRows);
  const tmp = `${file}.tmp`;
  const out = new LineWriter(tmp);
  try {
    const { counts, version } = await db.tx(async (q) => {
      await q.exec('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
      await q.exec('SET LOCAL extra_float_digits = 1');
      const version = await schemaVersion(q);
      const tables = await listTables(q, schemas);
      const header: BackupHeader = {
        format: BACKUP_FORMAT,
        version: BACKUP_FORMAT_VERSION,
        schemaVersion: version,
        createdAt: new Date().toISOString(),
        source: db.kind,
        schemas,
        tables: tables.map((t) => ({
          schema: t.schema,
          name: t.name,
          columns: t.columns.filter((c) => !c.generated).map((c) => c.name),
        })),
        sequences: await listSequences(q, schemas),
      };
      await out.write(JSON.stringify(header));
      const counts: TableCount[] = [];
      for (const t of tables) {
        await out.write(JSON.stringify({ table: { schema: t.schema, name: t.name } }));
        counts.push({ table: tableKey(t), rows: await dumpTable(q, t, out, batch) });
      }
      const trailer = tables.map((t, i) => ({ schema: t.schema, name: t.name, rows: counts[i].rows }));
      await out.write(JSON.stringify({ end: true, tables: trailer }));
      return { counts, version };
    });
    await out.close();
    await rename(tmp, file);
    return {
      file,
      formatVersion: BACKUP_FORMAT_VERSION,
      schemaVersion: version,
      tables: counts,
      rows: counts.reduce((n, c) => n + c.rows, 0),
      bytes: (await stat(file)).size,
      durationMs: performance.now() - started,
    };
  } catch (err) {
    out.abort();
    await unlink(tmp).catch(() => {});
    throw fail('Backup to', file, err, 'failed');
  }
}

/**
 * Restores a backup written by `backupDb` into `db`, replacing the data of every table the backup
 * covers (all tables of its schemas, except `schema_migrations`). Refuses a backup whose schema
 * version is newer than the database's. Runs in ONE transaction: `TRUNCATE` of all those tables
 * (row triggers such as audit_log's append-only guard do not fire), batched parameterised inserts
 * via `json_populate_recordset` (vector and bytea columns arrive as text), then sequences are set
 * to the backed-up value or past the highest restored id, whichever is larger. Any failure — a
 * corrupt or truncated file, a row the schema rejects, a count that does not match the trailer —
 * rolls back and leaves the data as it was, raising `storage.backup_failed`.
 */
export async function restoreDb(db: Db, file: string, options: RestoreOptions = {}): Promise<RestoreInfo> {
  const started = performance.now();
  const lines = readLines(file);
  try {
    const first = await lines.next();
    if (first.done) throw new Error('the file is empty');
    let header: BackupHeader;
    try {
      header = BackupHeaderSchema.parse(JSON.parse(first.value));
    } catch {
      if (first.value.startsWith(ROW_PREFIX) || first.value.length === 0) throw new Error('no backup header');
      throw new Error(`not a ${BACKUP_FORMAT} v${BACKUP_FORMAT_VERSION} file (bad header line)`);
    }
    const current = await schemaVersion(db);
    if (header.schemaVersion > current) {
      throw new SkillgateError(
        'storage.backup_failed',
        `Backup ${file} has schema version ${header.schemaVersion}, newer than this database's ${current}; run \`skillgate migrate\` with a release that has those migrations first.`,
        { file, backupVersion: header.schemaVersion, databaseVersion: current },
      );
    }
    const counts = await db.tx((q) => restoreRows(q, header, lines, batchSize(options.batchRows)));
    return {
      file,
      formatVersion: header.version,
      schemaVersion: header.schemaVersion,
      source: header.source,
      createdAt: header.createdAt,
      tables: counts,
      rows: counts.reduce((n, c) => n + c.rows, 0),
      durationMs: performance.now() - started,
    };
  } catch (err) {
    throw fail('Restore from', file, err, 'failed and was rolled back, the data is unchanged');
  } finally {
    await lines.return(undefined);
  }
}
