import type PgBoss from 'pg-boss';
import type { Queryable } from '../../db/db.js';

/** Removes dollar-quoted bodies, string literals and comments, to count statements. */
function skeleton(sql: string): string {
  return sql
    .replace(/\$([A-Za-z_]*)\$[\s\S]*?\$\1\$/g, '')
    .replace(/'(?:[^']|'')*'/g, "''")
    .replace(/--[^\n]*/g, '');
}

/** True when the SQL text holds more than one statement. */
export function isMultiStatement(sql: string): boolean {
  return /;\s*\S/.test(skeleton(sql).trim().replace(/;\s*$/, ''));
}

/**
 * pg-boss's `db` option over our storage port, so that pg-boss runs on every backend (PGlite in
 * process and node-postgres) and, given a transaction's `Queryable`, inside that transaction.
 * A multi-statement script without parameters (pg-boss's schema plans and its locked maintenance
 * commands) goes to `exec`, since PGlite runs only single statements with `query`.
 */
export function bossDb(q: Queryable): PgBoss.Db {
  return {
    async executeSql(text: string, values?: unknown[]) {
      if (values && values.length > 0) return q.query(text, values);
      if (isMultiStatement(text)) {
        await q.exec(text);
        return { rows: [] };
      }
      return q.query(text);
    },
  };
}
