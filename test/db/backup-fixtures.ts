import { readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { appendAudit } from '../../src/core/audit/audit-log.js';
import type { Db } from '../../src/db/db.js';

/**
 * Two test-only tables, so that backups also cover what no core table has yet: a vector column, an
 * identity column (`GENERATED ALWAYS`), a generated column, a `json` value kept verbatim, and
 * a table without a primary key (paged by `ctid`).
 */
const EXTRA_TABLES = `
CREATE TABLE IF NOT EXISTS bk_vectors (
  id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  label    text NOT NULL,
  emb      vector(3) NOT NULL,
  meta     json,
  tags     text[] NOT NULL DEFAULT '{}',
  weight   float8,
  blob     bytea,
  doubled  bigint GENERATED ALWAYS AS (id * 2) STORED
);
CREATE INDEX IF NOT EXISTS bk_vectors_emb ON bk_vectors USING hnsw (emb vector_l2_ops);
CREATE TABLE IF NOT EXISTS bk_nopk (note text, n integer);
`;

/** Fills core and demo tables with awkward values (and `rows` extra events, for paging). */
export async function seedBackupData(db: Db, rows = 250): Promise<void> {
  await db.exec(EXTRA_TABLES);
  await db.exec(`
    INSERT INTO runs (id, tenant, request_id, principal, channel, skill_id, input, mode, status, output, cost_usd, tokens, created_at, finished_at)
    VALUES
      ('run_1', 't1', 'req_1', 'alice', 'slack', 'crm.lookup', '{"q": "ACME", "n": [1, 2.5, null], "deep": {"é": "ü\\n\\"x\\""}}',
       'execute', 'succeeded', '{"ok": true}', 0.123456789012, 1200, '2024-05-06 07:08:09.123456+00', '2024-05-06 07:08:10.654321+00'),
      ('run_2', 't1', 'req_2', 'bob', 'mcp', 'invoices.remind', NULL, 'dry_run', 'failed', NULL, 0, 0, '2024-05-07 00:00:00+02', NULL);
    INSERT INTO run_steps (run_id, step_id, skill_id, status, output) VALUES
      ('run_1', 'a', 'x.a', 'succeeded', '[1, 2]'), ('run_1', 'b', 'x.b', 'succeeded', '{}'),
      ('run_1', 'c', 'x.c', 'failed', NULL), ('run_2', 'a', 'x.a', 'succeeded', '"str"');
    INSERT INTO approvals (id, tenant, run_id, skill_id, skill_version, input, input_hash, requested_by, requester,
                           channel, risk, reason, approver_roles, quorum, expires_at)
    VALUES ('appr_1', 't1', 'run_1', 'invoices.remind', '1.0.0', '{"invoice": 42}', 'h', 'alice',
            '{"id": "alice", "roles": ["ops"]}', 'slack', 'high', 'policy', ARRAY['admin', 'fin,ance', 'q"uote', NULL, ''],
            2, '2030-01-01T00:00:00Z');
    INSERT INTO approval_decisions (approval_id, principal, decision, comment, channel)
      VALUES ('appr_1', 'carol', 'approve', E'line1\\nline2\\ttab', 'discord');
    INSERT INTO approval_messages (approval_id, channel, ref) VALUES
      ('appr_1', 'slack', '{"ts": "1700000000.000100", "channel": "C1"}'), ('appr_1', 'discord', '{"id": "123"}');
    INSERT INTO budget_usage (tenant, scope, period, used_usd) VALUES
      ('t1', 'tenant', '2024-05', 12345678901234567890.123456789), ('t1', 'principal:alice', '2024-05', 0.000001);
    INSERT INTO budget_ledger (tenant, principal, run_id, kind, usd, input_tokens) VALUES
      ('t1', 'alice', 'run_1', 'reserve', 0.5, 10), ('t1', 'alice', 'run_1', 'settle', -0.25, 0);
    INSERT INTO idempotency_keys (tenant, scope, skill_id, key, input_hash, run_id, expires_at)
      VALUES ('t1', 'principal', 'crm.lookup', 'k1', 'h1', 'run_1', '2030-01-01T00:00:00Z');
    INSERT INTO outbox (id, tenant, connector, recipient, subject, body, payload)
      VALUES ('ob_1', 't1', 'email', 'ap@acme.test', 'Reminder', 'Dear ACME…', '{"invoice": 42}');
    INSERT INTO demo.customers (tenant, name, email, company, city, country, tier) VALUES
      ('t1', 'Ana', 'ana@acme.test', 'ACME', 'Lisboa', 'PT', 'premium'),
      ('t1', 'Bo', 'bo@globex.test', 'Globex', 'Malmö', 'SE', 'free'),
      ('t2', 'Cy', 'cy@initech.test', 'Initech', 'Austin', 'US', 'enterprise');
    INSERT INTO demo.invoices (tenant, number, customer_id, amount, issued_on, due_on, status, paid_at)
      SELECT tenant, 40 + id, id, 1234.5 * id, DATE '2024-01-31', DATE '2024-02-29', 'open', NULL FROM demo.customers;
    INSERT INTO bk_vectors (label, emb, meta, tags, weight, blob) VALUES
      ('a', '[1,0,0]', '{"raw":  "json text, kept verbatim", "n": 1.50}', '{x,"y z"}', 0.1, '\\x00ff10'),
      ('b', '[0.25,-1.5,3e-7]', NULL, '{}', 'Infinity', NULL);
    INSERT INTO bk_nopk (note, n) SELECT 'n' || g, g FROM generate_series(1, 7) g;
    INSERT INTO events (tenant, request_id, type, data, ts)
      SELECT 't1', 'req_' || (g % 10), 'step', jsonb_build_object('g', g, 'half', g / 2.0), '2024-01-01'::timestamptz + g * interval '1 second'
      FROM generate_series(1, ${rows}) g;
  `);
  // A real hash chain: restoring must keep every hashed value (timestamps to the microsecond) intact.
  for (let i = 0; i < 3; i++) {
    await db.tx((q) =>
      appendAudit(q, [
        { tenant: 't1', actor: 'alice', action: 'run.succeeded', data: { i }, ts: new Date() },
      ]),
    );
  }
}

/** Changes to apply after a backup: updates, deletes (with cascades), inserts in most tables. */
export async function mutateBackupData(db: Db): Promise<void> {
  await db.exec(`
    UPDATE runs SET status = 'tampered', cost_usd = 99 WHERE id = 'run_1';
    DELETE FROM demo.customers WHERE id = 1;
    UPDATE demo.invoices SET amount = 0;
    DELETE FROM events WHERE id % 3 = 0;
    INSERT INTO events (tenant, request_id, type) VALUES ('t9', 'req_new', 'new');
    DELETE FROM approvals;
    TRUNCATE bk_vectors;
    INSERT INTO bk_nopk VALUES ('extra', 8);
    UPDATE budget_usage SET used_usd = 1;
  `);
  await db.tx((q) =>
    appendAudit(q, [{ tenant: 't1', actor: 'eve', action: 'after.backup', ts: new Date() }]),
  );
}

/**
 * The content of every table of `public` and `demo` (but `schema_migrations`) as Postgres' own text
 * form of each row, sorted; independent of the JSON path the backup uses. UTC and ISO dates make it
 * comparable across servers.
 */
export async function snapshot(db: Db): Promise<Record<string, string[]>> {
  return db.tx(async (q) => {
    await q.exec(
      "SET LOCAL TimeZone = 'UTC'; SET LOCAL DateStyle = 'ISO, YMD'; SET LOCAL extra_float_digits = 1",
    );
    const tables = await q.query<{ s: string; t: string }>(
      `SELECT table_schema AS s, table_name AS t FROM information_schema.tables
       WHERE table_schema IN ('public', 'demo') AND table_type = 'BASE TABLE' AND table_name <> 'schema_migrations'`,
    );
    const out: Record<string, string[]> = {};
    for (const { s, t } of tables.rows) {
      const r = await q.query<{ r: string }>(`SELECT x::text AS r FROM "${s}"."${t}" x`);
      out[`${s}.${t}`] = r.rows.map((row) => row.r).sort();
    }
    return out;
  });
}

/** Rewrites the JSON lines of a gzip'd backup file. */
export function editBackup(src: string, dest: string, edit: (lines: string[]) => string[]): void {
  const lines = gunzipSync(readFileSync(src)).toString('utf8').split('\n');
  writeFileSync(dest, gzipSync(edit(lines).join('\n')));
}
