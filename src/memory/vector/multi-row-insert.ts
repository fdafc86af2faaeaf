import type { Queryable } from '../../db/db.js';

export interface MultiRowInsertOptions {
  table: string;
  /** Column names, in the order of each row's values. */
  columns: readonly string[];
  /** Optional cast per column (`vector`, `text[]`, ...), applied to its placeholder. */
  casts?: Readonly<Record<string, string>>;
  /** Rows per statement (default 500; capped so a statement has at most 30,000 parameters). */
  batchSize?: number;
  /** Appended to each statement (e.g. `ON CONFLICT DO NOTHING`). */
  suffix?: string;
}

/**
 * Inserts rows with multi-row `INSERT ... VALUES (...), (...)` statements, batched. Vectors go as
 * pgvector text (see `formatVector`) with a `vector` cast. Returns the number of rows inserted.
 */
export async function multiRowInsert(
  q: Queryable,
  options: MultiRowInsertOptions,
  rows: readonly unknown[][],
): Promise<number> {
  const { table, columns, casts = {}, suffix = '' } = options;
  for (const ident of [table, ...columns]) {
    if (!/^[a-z_][a-z0-9_]*$/.test(ident)) throw new Error(`invalid SQL identifier ${ident}`);
  }
  const perRow = columns.length;
  const batch = Math.max(1, Math.min(options.batchSize ?? 500, Math.floor(30_000 / perRow)));
  let inserted = 0;
  for (let i = 0; i < rows.length; i += batch) {
    const part = rows.slice(i, i + batch);
    const params: unknown[] = [];
    const tuples: string[] = [];
    for (const row of part) {
      if (row.length !== perRow) throw new Error(`row has ${row.length} values, ${perRow} columns expected`);
      const ph = columns.map((c, k) => {
        params.push(row[k]);
        const cast = casts[c];
        return cast ? `$${params.length}::${cast}` : `$${params.length}`;
      });
      tuples.push(`(${ph.join(', ')})`);
    }
    const r = await q.query(
      `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${tuples.join(', ')} ${suffix}`,
      params,
    );
    inserted += r.rowCount;
  }
  return inserted;
}
