import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../../src/core/config/config-schema.js';
import type { PgliteDb } from '../../../src/db/pglite-db.js';
import { createHandler } from '../../../src/tools/handlers/create-handler.js';
import { SqlConnectorPools } from '../../../src/tools/handlers/sql-connectors.js';
import { createTestDb, freePort } from '../../helpers/test-db.js';
import { caught, makeContext, makeSkill } from './handler-test-kit.js';

let db: PgliteDb;
const deps = { builtins: new Map(), connectors: new SqlConnectorPools() };

const INPUT = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    city: { type: 'string' },
    since: { type: 'string' },
    code: { type: 'string' },
    tier: { type: 'string' },
    tenant: { type: 'string' },
  },
};

function sqlSkill(
  statements: Record<string, unknown>[],
  extra: Record<string, unknown> = {},
  connector?: string,
) {
  return makeSkill({
    input: INPUT,
    ...extra,
    handler: { type: 'sql', statements, ...(connector ? { connector } : {}) },
  });
}

beforeAll(async () => {
  db = await createTestDb();
  await db.exec(`
    INSERT INTO demo.customers (tenant, name, email, company, city, country, tier) VALUES
      ('acme', 'Ada Lovelace', 'ada@example.com', 'Analytical', 'London', 'UK', 'premium'),
      ('acme', 'Alan Turing', 'alan@example.com', 'Bletchley', 'London', 'UK', 'standard'),
      ('acme', 'Grace Hopper', 'grace@example.com', 'Navy', 'Arlington', 'US', 'free'),
      ('globex', 'Hank Scorpio', 'hank@example.com', 'Globex', 'London', 'US', 'enterprise');
    INSERT INTO demo.invoices (tenant, number, customer_id, amount, issued_on, due_on)
      SELECT tenant, 1000 + id, id, 100 * id, date '2024-01-01', date '2024-02-01' FROM demo.customers;
  `);
});

afterAll(async () => {
  await deps.connectors.close();
  await db.close();
});

const run = (skill: ReturnType<typeof sqlSkill>, input: Record<string, unknown>) =>
  createHandler(skill, deps).run(makeContext(skill, { db, input }));

describe('sql handler', () => {
  it('binds :name parameters and always scopes by the context tenant, whatever the input says', async () => {
    const skill = sqlSkill([
      { sql: 'SELECT name FROM customers WHERE city = :city AND tenant = :tenant ORDER BY name' },
    ]);
    const result = await run(skill, { city: 'London', tenant: 'globex' });
    expect(result.output).toEqual({ rows: [{ name: 'Ada Lovelace' }, { name: 'Alan Turing' }] });
  });

  it('keeps an injection attempt as a plain value', async () => {
    const skill = sqlSkill([
      { sql: 'SELECT id FROM demo.customers WHERE name = :name AND tenant = :tenant' },
    ]);
    const result = await run(skill, { name: "x'; DROP TABLE demo.customers; --" });
    expect(result.output).toEqual({ rows: [] });
    const count = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM demo.customers');
    expect(count.rows[0].n).toBe(4);
  });

  it('keeps ::type casts working next to parameters', async () => {
    const skill = sqlSkill([
      {
        sql: `SELECT number, amount::text AS amount FROM demo.invoices
              WHERE tenant = :tenant AND issued_on >= :since::date AND due_on > '2024-01-15'::date
              ORDER BY number`,
        as: 'invoices',
      },
    ]);
    const result = await run(skill, { since: '2023-12-31' });
    expect(result.output).toEqual({
      invoices: [
        { number: 1001, amount: '100.00' },
        { number: 1002, amount: '200.00' },
        { number: 1003, amount: '300.00' },
      ],
    });
  });

  it('returns one row or null, and counts affected rows, keyed by as or by default', async () => {
    const skill = sqlSkill(
      [
        { sql: 'SELECT name, tier FROM customers WHERE tenant = :tenant AND name = :name', returns: 'one' },
        {
          sql: 'SELECT name FROM customers WHERE tenant = :tenant AND name = :code',
          returns: 'one',
          as: 'nobody',
        },
        {
          sql: 'UPDATE customers SET account_owner = :principal WHERE tenant = :tenant AND city = :city',
          returns: 'count',
        },
      ],
      { effects: 'write' },
    );
    const result = await run(skill, { name: 'Grace Hopper', code: 'nobody', city: 'London' });
    expect(result.output).toEqual({ row: { name: 'Grace Hopper', tier: 'free' }, nobody: null, count: 2 });
    const owners = await db.query(
      'SELECT DISTINCT account_owner FROM demo.customers WHERE city = $1 AND tenant = $2',
      ['London', 'acme'],
    );
    expect(owners.rows).toEqual([{ account_owner: 'alice' }]);
  });

  it('runs all statements in one transaction: a failing statement undoes the earlier ones', async () => {
    const skill = sqlSkill(
      [
        { sql: "UPDATE customers SET tier = 'enterprise' WHERE tenant = :tenant", returns: 'count' },
        { sql: 'SELECT :code::int AS n' },
      ],
      { effects: 'write' },
    );
    const err = await caught(() => run(skill, { code: 'zzz-private-value' }));
    expect(err.code).toBe('handler.sql_failed');
    expect(err.message).toContain('statement 2 failed');
    expect(err.message).toContain('invalid input syntax for type integer');
    expect(err.message).not.toContain('zzz-private-value');
    expect(err.details?.sqlstate).toBe('22P02');
    const tiers = await db.query("SELECT count(*)::int AS n FROM demo.customers WHERE tier = 'enterprise'");
    expect(tiers.rows).toEqual([{ n: 1 }]);
  });

  it('previews a delete inside a rolled-back transaction, showing the rows it would remove', async () => {
    const skill = sqlSkill(
      [
        {
          sql: 'DELETE FROM customers WHERE tenant = :tenant AND city = :city RETURNING name, email',
          as: 'deleted',
        },
      ],
      { effects: 'delete', risk: 'high' },
    );
    const handler = createHandler(skill, deps);
    const preview = await handler.preview?.(
      makeContext(skill, { db, input: { city: 'London' }, mode: 'dry_run' }),
    );
    expect(preview).toEqual({
      would_affect: 2,
      rows: [
        { name: 'Ada Lovelace', email: 'ada@example.com' },
        { name: 'Alan Turing', email: 'alan@example.com' },
      ],
    });
    const left = await db.query("SELECT count(*)::int AS n FROM demo.customers WHERE tenant = 'acme'");
    expect(left.rows).toEqual([{ n: 3 }]);
  });

  it('has no preview for read skills (the engine runs them for real)', () => {
    expect(createHandler(sqlSkill([{ sql: 'SELECT 1' }]), deps).preview).toBeUndefined();
  });

  it('rejects a :name that is not an input field at creation, but not casts or context names', () => {
    expect(() => createHandler(sqlSkill([{ sql: 'SELECT :email, :tenant, :principal' }]), deps)).toThrow(
      /:email are not input fields/,
    );
    expect(() =>
      createHandler(sqlSkill([{ sql: "SELECT :name::text, now()::date, ':x'" }]), deps),
    ).not.toThrow();
  });

  it('runs on a configured postgres connector, opening its pool lazily', async () => {
    // A second database served over the Postgres wire protocol (one connection at a time).
    const remote = await createTestDb();
    const port = await freePort();
    const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
    const server = new PGLiteSocketServer({ db: remote.pg, port, host: '127.0.0.1' });
    await server.start();
    const pools = new SqlConnectorPools({ max: 1 });
    try {
      await remote.exec(
        "INSERT INTO demo.customers (tenant, name, email, company, city, country) VALUES ('acme', 'Remote Rita', 'rita@example.com', 'R', 'Oslo', 'NO')",
      );
      const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
      const config = ConfigSchema.parse({
        connectors: { warehouse: { type: 'postgres', dsn_env: 'WAREHOUSE_DSN' } },
      });
      const skill = sqlSkill(
        [{ sql: 'SELECT name FROM demo.customers WHERE tenant = :tenant' }],
        {},
        'warehouse',
      );
      const handler = createHandler(skill, { builtins: new Map(), connectors: pools, config });
      const ctx = makeContext(skill, { config, secret: (n) => (n === 'WAREHOUSE_DSN' ? url : undefined) });
      expect((await handler.run(ctx)).output).toEqual({ rows: [{ name: 'Remote Rita' }] });
      expect((await handler.run(ctx)).output).toEqual({ rows: [{ name: 'Remote Rita' }] });
      const missing = await caught(() => handler.run(makeContext(skill, { config })));
      expect(missing.code).toBe('config.invalid');
      expect(() =>
        createHandler(sqlSkill([{ sql: 'SELECT 1' }], {}, 'nope'), {
          builtins: new Map(),
          connectors: pools,
          config,
        }),
      ).toThrow(/no connector "nope"/);
    } finally {
      await pools.close();
      await server.stop();
      await remote.close();
    }
  });
});
