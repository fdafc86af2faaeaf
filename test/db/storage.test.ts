import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db, Row } from '../../src/db/db.js';
import { storageBackends } from '../helpers/test-db.js';

/**
 * The shared storage suite: the `Db` port contract, run unchanged against every adapter (PGlite
 * in-process, PGlite over the wire with node-postgres, and a real Postgres server when
 * `SKILLGATE_TEST_DATABASE_URL` is set).
 */
const { backends, skipped } = storageBackends();

/** One query exercising every type whose parsing the port promises to keep identical. */
const TYPES_SQL = `SELECT
  9007199254740991::int8 AS big, 42::int4 AS int, 12345.678::numeric AS num, 19.90::numeric(12,2) AS money,
  '{"a":[1,"x",null],"b":{"c":true}}'::jsonb AS doc, '{"k":"v"}'::json AS plain_json,
  '2024-03-01T12:34:56.789Z'::timestamptz AS ts, NULL::timestamptz AS no_ts,
  ARRAY['admin', 'it''s', 'a,b']::text[] AS roles, '{}'::text[] AS no_roles, ARRAY[1, 2, 3]::int4[] AS ints,
  '[1,2.5,-3]'::vector AS vec, 1.5::float8 AS dbl, true AS flag, 'plain'::text AS txt`;

const EXPECTED_TYPES = {
  big: 9007199254740991,
  int: 42,
  num: 12345.678,
  money: 19.9,
  doc: { a: [1, 'x', null], b: { c: true } },
  plain_json: { k: 'v' },
  ts: new Date('2024-03-01T12:34:56.789Z'),
  no_ts: null,
  roles: ['admin', "it's", 'a,b'],
  no_roles: [],
  ints: [1, 2, 3],
  vec: '[1,2.5,-3]',
  dbl: 1.5,
  flag: true,
  txt: 'plain',
};

describe.each(backends)('storage contract on $name', (backend) => {
  let db: Db;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ db, close } = await backend.open());
  });
  afterAll(() => close?.());

  it('runs a query with positional parameters and reports the row count', async () => {
    await db.exec('CREATE TABLE kv (k text PRIMARY KEY, v integer NOT NULL)');
    const ins = await db.query('INSERT INTO kv (k, v) VALUES ($1, $2), ($3, $4)', ['a', 1, 'b', 2]);
    expect(ins.rowCount).toBe(2);
    const r = await db.query<{ k: string; v: number }>('SELECT k, v FROM kv WHERE v >= $1 ORDER BY k', [1]);
    expect(r.rows).toEqual([
      { k: 'a', v: 1 },
      { k: 'b', v: 2 },
    ]);
    expect(r.rowCount).toBe(2);
    const upd = await db.query('UPDATE kv SET v = v + $1 WHERE k = $2', [10, 'b']);
    expect(upd.rowCount).toBe(1);
    const none = await db.query('SELECT k FROM kv WHERE k = $1', ["no'such"]);
    expect(none.rows).toEqual([]);
  });

  it('executes a multi-statement script in order', async () => {
    await db.exec(`
      CREATE TABLE script_t (id serial PRIMARY KEY, name text NOT NULL);
      INSERT INTO script_t (name) VALUES ('one');
      INSERT INTO script_t (name) VALUES ('two');
      UPDATE script_t SET name = upper(name) WHERE id = 2;
    `);
    const r = await db.query('SELECT id, name FROM script_t ORDER BY id');
    expect(r.rows).toEqual([
      { id: 1, name: 'one' },
      { id: 2, name: 'TWO' },
    ]);
  });

  it('parses int8, numeric, jsonb, timestamptz, text[] and vector the same way as every adapter', async () => {
    const r = await db.query(TYPES_SQL);
    expect(r.rows[0]).toEqual(EXPECTED_TYPES);
    expect(r.rows[0].ts).toBeInstanceOf(Date);
  });

  it('round-trips parameters of those types through a table', async () => {
    await db.exec(`CREATE TABLE typed (id int8 PRIMARY KEY, amount numeric NOT NULL, doc jsonb NOT NULL,
      at timestamptz NOT NULL, tags text[] NOT NULL, emb vector(3) NOT NULL)`);
    const at = new Date('2023-12-31T23:59:59.999Z');
    await db.query('INSERT INTO typed VALUES ($1, $2, $3, $4, $5, $6)', [
      4_000_000_000,
      '0.1',
      JSON.stringify({ nested: { list: [1, 2] }, s: 'é"\n' }),
      at,
      ['x', 'y z'],
      '[0.5,0.25,-1]',
    ]);
    const r = await db.query('SELECT * FROM typed');
    expect(r.rows).toEqual([
      {
        id: 4_000_000_000,
        amount: 0.1,
        doc: { nested: { list: [1, 2] }, s: 'é"\n' },
        at,
        tags: ['x', 'y z'],
        emb: '[0.5,0.25,-1]',
      },
    ]);
  });

  it('commits a transaction when the callback resolves and returns its value', async () => {
    await db.exec('CREATE TABLE tx_t (id integer PRIMARY KEY)');
    const out = await db.tx(async (q) => {
      await q.query('INSERT INTO tx_t VALUES ($1)', [1]);
      await q.exec('INSERT INTO tx_t VALUES (2); INSERT INTO tx_t VALUES (3)');
      const seen = await q.query<{ n: number }>('SELECT count(*) AS n FROM tx_t');
      return seen.rows[0].n;
    });
    expect(out).toBe(3);
    const r = await db.query<{ n: number }>('SELECT count(*) AS n FROM tx_t');
    expect(r.rows[0].n).toBe(3);
  });

  it('rolls a transaction back when the callback throws, and rethrows the same error', async () => {
    const boom = new Error('boom');
    await expect(
      db.tx(async (q) => {
        await q.query('INSERT INTO tx_t VALUES ($1)', [10]);
        await q.exec('INSERT INTO tx_t VALUES (11)');
        throw boom;
      }),
    ).rejects.toBe(boom);
    await expect(
      db.tx(async (q) => {
        await q.query('INSERT INTO tx_t VALUES ($1)', [20]);
        await q.query('INSERT INTO tx_t VALUES ($1)', [1]); // duplicate key
      }),
    ).rejects.toThrow(/duplicate key value violates unique constraint "tx_t_pkey"/);
    const r = await db.query<{ id: number }>('SELECT id FROM tx_t ORDER BY id');
    expect(r.rows.map((x) => x.id)).toEqual([1, 2, 3]);
  });

  it('never loses an update when 20 transactions increment a counter concurrently with FOR UPDATE', async () => {
    await db.exec(
      "CREATE TABLE counter (name text PRIMARY KEY, n integer NOT NULL); INSERT INTO counter VALUES ('c', 0)",
    );
    const bump = () =>
      db.tx(async (q) => {
        const r = await q.query<{ n: number }>("SELECT n FROM counter WHERE name = 'c' FOR UPDATE");
        // Yield to the event loop so that other transactions get a chance to interleave.
        await new Promise((resolve) => setTimeout(resolve, 1));
        await q.query("UPDATE counter SET n = $1 WHERE name = 'c'", [r.rows[0].n + 1]);
        return r.rows[0].n;
      });
    const seen = await Promise.all(Array.from({ length: 20 }, bump));
    const r = await db.query<{ n: number }>("SELECT n FROM counter WHERE name = 'c'");
    expect(r.rows[0].n).toBe(20);
    expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('builds an HNSW index and answers nearest-neighbour queries through it', async () => {
    await db.exec('CREATE TABLE items (id integer PRIMARY KEY, emb vector(3) NOT NULL)');
    const vectors = [
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
      [0.9, 0.1, 0],
      [0.1, 0.9, 0.1],
      [0.7, 0.7, 0],
    ];
    for (const [i, v] of vectors.entries()) {
      await db.query('INSERT INTO items VALUES ($1, $2)', [i + 1, JSON.stringify(v)]);
    }
    await db.exec('CREATE INDEX items_emb_hnsw ON items USING hnsw (emb vector_cosine_ops)');
    const plan = await db.tx(async (q) => {
      await q.exec('SET LOCAL enable_seqscan = off');
      const explain = await q.query<Row>('EXPLAIN SELECT id FROM items ORDER BY emb <=> $1::vector LIMIT 3', [
        '[1,0.05,0]',
      ]);
      const top = await q.query<{ id: number; d: number }>(
        'SELECT id, emb <=> $1::vector AS d FROM items ORDER BY emb <=> $1::vector LIMIT 3',
        ['[1,0.05,0]'],
      );
      return { text: explain.rows.map((row) => String(Object.values(row)[0])).join('\n'), top };
    });
    expect(plan.text).toContain('items_emb_hnsw');
    expect(plan.top.rows.map((x) => x.id)).toEqual([1, 4, 6]);
    expect(plan.top.rows[0].d).toBeCloseTo(1 - 1 / Math.sqrt(1.0025), 6);
    const exact = await db.query<{ id: number }>(
      "SELECT id FROM items ORDER BY emb <-> '[0,0.1,1]'::vector LIMIT 2",
    );
    expect(exact.rows.map((x) => x.id)).toEqual([3, 5]);
  });

  it('surfaces SQL errors as thrown errors carrying the Postgres message, and stays usable', async () => {
    await expect(db.query('SELECT * FROM no_such_table')).rejects.toThrow(
      'relation "no_such_table" does not exist',
    );
    await expect(db.exec('SELEC 1')).rejects.toThrow(/syntax error at or near "SELEC"/);
    await expect(db.query('SELECT $1::int AS n', ['not a number'])).rejects.toThrow(
      /invalid input syntax for type integer/,
    );
    await expect(db.query("SELECT '[1,2'::vector")).rejects.toThrow(/invalid input syntax for type vector/);
    const r = await db.query<{ ok: number }>('SELECT 1 AS ok');
    expect(r.rows).toEqual([{ ok: 1 }]);
  });

  it('keeps audit_log append-only: inserts work, UPDATE and DELETE are rejected by the trigger', async () => {
    await db.query(
      `INSERT INTO audit_log (seq, ts, tenant, actor, action, prev_hash, hash) VALUES ($1, now(), 't1', 'alice', 'x', 'genesis', 'h1')`,
      [1],
    );
    await expect(db.query("UPDATE audit_log SET actor = 'mallory' WHERE seq = 1")).rejects.toThrow(
      'audit_log is append-only',
    );
    await expect(db.query('DELETE FROM audit_log WHERE seq = 1')).rejects.toThrow('audit_log is append-only');
    await expect(
      db.tx((q) => q.query("UPDATE audit_log SET hash = 'forged'").then(() => undefined)),
    ).rejects.toThrow('audit_log is append-only');
    const r = await db.query('SELECT seq, actor, hash FROM audit_log');
    expect(r.rows).toEqual([{ seq: 1, actor: 'alice', hash: 'h1' }]);
  });
});

for (const reason of skipped) {
  describe.skip(`storage contract on ${reason}`, () => {
    it('runs the shared storage suite', () => {});
  });
}
