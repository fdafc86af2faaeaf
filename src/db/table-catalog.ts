import { z } from 'zod';
import type { Queryable } from './db.js';

/** A sequence and its state (`last_value`, `is_called`), as `setval` takes them back. */
export const SequenceStateSchema = z.object({
  schema: z.string(),
  name: z.string(),
  lastValue: z.number(),
  isCalled: z.boolean(),
});
export type SequenceState = z.infer<typeof SequenceStateSchema>;

export const ColumnInfoSchema = z.object({
  name: z.string(),
  /** `format_type` of the column, e.g. `numeric(12,2)`, `vector(3)`, `text[]`. */
  type: z.string(),
  /** A `GENERATED ALWAYS AS (...) STORED` column: never written, computed again on insert. */
  generated: z.boolean(),
});
export type ColumnInfo = z.infer<typeof ColumnInfoSchema>;

export const TableInfoSchema = z.object({
  schema: z.string(),
  name: z.string(),
  columns: z.array(ColumnInfoSchema),
  /** Primary key columns in key order; empty when the table has none. */
  primaryKey: z.array(z.string()),
  /** Other tables (as `schema.name`) this table references with foreign keys. */
  dependsOn: z.array(z.string()),
  /** Sequences owned by a column (serial, bigserial, identity). */
  ownedSequences: z.array(z.object({ column: z.string(), schema: z.string(), name: z.string() })),
});
export type TableInfo = z.infer<typeof TableInfoSchema>;

/** Quotes an SQL identifier (`"a""b"`). */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** `"schema"."name"`, ready to splice into SQL. */
export function qualifiedName(t: { schema: string; name: string }): string {
  return `${quoteIdent(t.schema)}.${quoteIdent(t.name)}`;
}

/** `schema.name`, for messages and dependency keys. */
export function tableKey(t: { schema: string; name: string }): string {
  return `${t.schema}.${t.name}`;
}

const TABLES_SQL = `
SELECT n.nspname AS schema, c.relname AS name,
  COALESCE((SELECT json_agg(json_build_object('name', a.attname, 'type', format_type(a.atttypid, a.atttypmod),
                                              'generated', a.attgenerated <> '') ORDER BY a.attnum)
     FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped), '[]') AS columns,
  COALESCE((SELECT json_agg(a.attname ORDER BY array_position(i.indkey::int2[], a.attnum))
     FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
     WHERE i.indrelid = c.oid AND i.indisprimary), '[]') AS "primaryKey",
  COALESCE((SELECT json_agg(DISTINCT rn.nspname || '.' || rc.relname)
     FROM pg_constraint fk JOIN pg_class rc ON rc.oid = fk.confrelid JOIN pg_namespace rn ON rn.oid = rc.relnamespace
     WHERE fk.conrelid = c.oid AND fk.contype = 'f' AND fk.confrelid <> c.oid), '[]') AS "dependsOn",
  COALESCE((SELECT json_agg(json_build_object('column', a.attname, 'schema', sn.nspname, 'name', sc.relname))
     FROM pg_depend d
     JOIN pg_class sc ON sc.oid = d.objid AND sc.relkind = 'S'
     JOIN pg_namespace sn ON sn.oid = sc.relnamespace
     JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
     WHERE d.classid = 'pg_class'::regclass AND d.refobjid = c.oid AND d.deptype IN ('a', 'i')), '[]') AS "ownedSequences"
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = ANY ($1::text[]) AND c.relkind IN ('r', 'p') AND NOT c.relispartition
  AND NOT (n.nspname = 'public' AND c.relname = 'schema_migrations')
  AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = 'pg_class'::regclass AND e.objid = c.oid AND e.deptype = 'e')
ORDER BY n.nspname, c.relname`;

/**
 * The data tables of `schemas` (ordinary and partitioned, not partitions, not extension-owned, never
 * `public.schema_migrations`), in foreign-key-safe order: a table comes after every table it
 * references. Reference cycles (rare) keep their alphabetical order.
 */
export async function listTables(q: Queryable, schemas: readonly string[]): Promise<TableInfo[]> {
  const r = await q.query(TABLES_SQL, [schemas]);
  const tables = r.rows.map((row) => TableInfoSchema.parse(row));
  const byKey = new Map(tables.map((t) => [tableKey(t), t]));
  const ordered: TableInfo[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (t: TableInfo): void => {
    const key = tableKey(t);
    if (state.has(key)) return;
    state.set(key, 'visiting');
    for (const dep of t.dependsOn) {
      const d = byKey.get(dep);
      if (d) visit(d);
    }
    state.set(key, 'done');
    ordered.push(t);
  };
  for (const t of tables) visit(t);
  return ordered;
}

/** Every sequence in `schemas` with its current state. */
export async function listSequences(q: Queryable, schemas: readonly string[]): Promise<SequenceState[]> {
  const r = await q.query<{ schema: string; name: string }>(
    `SELECT n.nspname AS schema, c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = ANY ($1::text[]) AND c.relkind = 'S' ORDER BY 1, 2`,
    [schemas],
  );
  const out: SequenceState[] = [];
  for (const s of r.rows) {
    const v = await q.query<{ last_value: number; is_called: boolean }>(
      `SELECT last_value, is_called FROM ${qualifiedName(s)}`,
    );
    out.push({
      schema: s.schema,
      name: s.name,
      lastValue: v.rows[0].last_value,
      isCalled: v.rows[0].is_called,
    });
  }
  return out;
}
