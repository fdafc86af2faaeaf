import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/db.js';
import { storageBackends } from '../helpers/test-db.js';

const { backends } = storageBackends();
describe.each(backends)('smoke on $name', (backend) => {
  let db: Db;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ db, close } = await backend.open());
  });
  afterAll(() => close());
  it('has migrations and vector', async () => {
    const r = await db.query<{ n: number; d: number }>(
      "select count(*) as n, ('[1,2,3]'::vector <-> '[1,2,4]'::vector) as d from schema_migrations",
    );
    expect(r.rows[0]).toEqual({ n: 1, d: 1 });
  });
});
