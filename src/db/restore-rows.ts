import {
  type BackupHeader,
  BackupTableLineSchema,
  BackupTrailerSchema,
  ROW_PREFIX,
  type TableCount,
} from './backup-format.js';
import type { Queryable } from './db.js';
import { listTables, qualifiedName, quoteIdent, type TableInfo, tableKey } from './table-catalog.js';

/** A batch is also cut at this many characters of row JSON, so one parameter stays small. */
const MAX_BATCH_CHARS = 4 * 1024 * 1024;

/** A problem with the file's content; `restoreDb` reports it as `storage.backup_failed`. */
function invalid(message: string): Error {
  return new Error(message);
}

/** Checks that every table and column of the backup exists (and is writable) in the database. */
function planTables(
  header: BackupHeader,
  tables: TableInfo[],
): Map<string, { info: TableInfo; insert: string }> {
  const byKey = new Map(tables.map((t) => [tableKey(t), t]));
  const plan = new Map<string, { info: TableInfo; insert: string }>();
  for (const bt of header.tables) {
    const info = byKey.get(tableKey(bt));
    if (!info) throw invalid(`The backup has table ${tableKey(bt)}, which this database does not have.`);
    const writable = new Set(info.columns.filter((c) => !c.generated).map((c) => c.name));
    const missing = bt.columns.filter((c) => !writable.has(c));
    if (missing.length > 0) {
      throw invalid(
        `Table ${tableKey(bt)} in this database has no column(s) ${missing.join(', ')} from the backup.`,
      );
    }
    const cols = bt.columns.map(quoteIdent).join(', ');
    const insert =
      `INSERT INTO ${qualifiedName(info)} (${cols}) OVERRIDING SYSTEM VALUE ` +
      `SELECT ${cols} FROM json_populate_recordset(NULL::${qualifiedName(info)}, $1::json)`;
    plan.set(tableKey(bt), { info, insert });
  }
  return plan;
}

/** Sets every backed-up sequence back, then past the highest restored value of its owning column. */
async function resetSequences(q: Queryable, header: BackupHeader, tables: TableInfo[]): Promise<void> {
  for (const s of header.sequences) {
    const exists = await q.query<{ r: string | null }>('SELECT to_regclass($1)::text AS r', [
      qualifiedName(s),
    ]);
    if (!exists.rows[0]?.r) continue;
    await q.query('SELECT setval($1::regclass, $2::int8, $3::bool)', [
      qualifiedName(s),
      s.lastValue,
      s.isCalled,
    ]);
  }
  for (const t of tables) {
    for (const s of t.ownedSequences) {
      const seq = qualifiedName(s);
      await q.query(
        `SELECT setval($1::regclass, m) FROM (SELECT max(${quoteIdent(s.column)})::int8 AS m FROM ${qualifiedName(t)}) x
         WHERE m IS NOT NULL AND m >= (SELECT CASE WHEN is_called THEN last_value + 1 ELSE last_value END FROM ${seq})`,
        [seq],
      );
    }
  }
}

/**
 * The transactional half of a restore: truncates every data table of the backup's schemas, inserts
 * the rows that `lines` (positioned after the header) yield, checks them against the trailer and
 * resets sequences. Throws on anything unexpected; the caller's transaction then rolls back.
 */
export async function restoreRows(
  q: Queryable,
  header: BackupHeader,
  lines: AsyncIterator<string>,
  batchRows: number,
): Promise<TableCount[]> {
  const tables = await listTables(q, header.schemas);
  const plan = planTables(header, tables);
  if (tables.length > 0) await q.exec(`TRUNCATE ${tables.map(qualifiedName).join(', ')}`);

  const counts = new Map<string, number>();
  let current: string | null = null;
  let batch: string[] = [];
  let chars = 0;
  const flush = async (): Promise<void> => {
    if (batch.length === 0 || !current) return;
    const target = plan.get(current)!;
    const r = await q.query(target.insert, [`[${batch.join(',')}]`]);
    if (r.rowCount !== batch.length)
      throw invalid(`Inserted ${r.rowCount} of ${batch.length} rows into ${current}.`);
    counts.set(current, (counts.get(current) ?? 0) + batch.length);
    batch = [];
    chars = 0;
  };

  let lineNo = 1;
  let ended = false;
  for (let next = await lines.next(); !next.done; next = await lines.next()) {
    const line = next.value;
    lineNo++;
    if (ended) {
      if (line.trim() === '') continue;
      throw invalid(`Unexpected data after the trailer at line ${lineNo}.`);
    }
    if (line.startsWith(ROW_PREFIX)) {
      if (!current || !line.endsWith('}')) throw invalid(`Malformed row at line ${lineNo}.`);
      const row = line.slice(ROW_PREFIX.length, -1);
      batch.push(row);
      chars += row.length;
      if (batch.length >= batchRows || chars >= MAX_BATCH_CHARS) await flush();
      continue;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      throw invalid(`Malformed line ${lineNo}.`);
    }
    const table = BackupTableLineSchema.safeParse(parsed);
    if (table.success) {
      await flush();
      current = tableKey(table.data.table);
      if (!plan.has(current) || counts.has(current))
        throw invalid(`Unexpected table ${current} at line ${lineNo}.`);
      counts.set(current, 0);
      continue;
    }
    const trailer = BackupTrailerSchema.safeParse(parsed);
    if (!trailer.success) throw invalid(`Unrecognised line ${lineNo}.`);
    await flush();
    for (const t of trailer.data.tables) {
      const got = counts.get(tableKey(t)) ?? 0;
      if (got !== t.rows)
        throw invalid(`Table ${tableKey(t)}: the backup lists ${t.rows} rows, ${got} were read.`);
    }
    if (trailer.data.tables.length !== plan.size || counts.size !== plan.size) {
      throw invalid('The trailer does not cover the tables listed in the header.');
    }
    ended = true;
  }
  if (!ended) throw invalid(`The backup is truncated: no trailer after line ${lineNo}.`);
  await resetSequences(q, header, tables);
  return header.tables.map((t) => ({ table: tableKey(t), rows: counts.get(tableKey(t)) ?? 0 }));
}
