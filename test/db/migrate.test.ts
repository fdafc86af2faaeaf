import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SkillgateError } from '../../src/core/errors.js';
import type { Db } from '../../src/db/db.js';
import { loadMigrations, migrate, migrationsUpToDate } from '../../src/db/migrate.js';
import { storageBackends } from '../helpers/test-db.js';

const { backends, skipped } = storageBackends();

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A temp directory holding the given `NNN_name.sql` files. */
function migrationDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'skillgate-mig-'));
  dirs.push(dir);
  for (const [name, sql] of Object.entries(files)) writeFileSync(join(dir, name), sql);
  return dir;
}

/** Turns the (migrated) test database into an empty one: nothing in `public`, no `demo`. */
async function emptyDatabase(db: Db): Promise<void> {
  await db.exec('DROP SCHEMA IF EXISTS demo CASCADE; DROP SCHEMA public CASCADE; CREATE SCHEMA public;');
}

/** Tables and columns of `public` and `demo`, to compare schemas before and after. */
async function schemaShape(db: Db): Promise<string[]> {
  const r = await db.query<{ c: string }>(
    `SELECT table_schema || '.' || table_name || '.' || column_name || ':' || data_type AS c
     FROM information_schema.columns WHERE table_schema IN ('public', 'demo') ORDER BY 1`,
  );
  return r.rows.map((x) => x.c);
}

async function recorded(db: Db): Promise<{ version: number; name: string; checksum: string }[]> {
  const r = await db.query<{ version: number; name: string; checksum: string }>(
    'SELECT version, name, checksum FROM schema_migrations ORDER BY version',
  );
  return r.rows;
}

async function caught(p: Promise<unknown>): Promise<SkillgateError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SkillgateError);
  return err as SkillgateError;
}

const GOOD = {
  '001_notes.sql':
    "CREATE TABLE notes (id serial PRIMARY KEY, body text NOT NULL);\nINSERT INTO notes (body) VALUES ('first');",
};
const BAD = {
  ...GOOD,
  '002_broken.sql': `CREATE TABLE tags (id serial PRIMARY KEY, label text);
ALTER TABLE notes ADD COLUMN pinned boolean NOT NULL DEFAULT false;
INSERT INTO notes (body) VALUES ('second');
INSERT INTO missing_table VALUES (1);`,
};

describe.each(backends)('migrations on $name', (backend) => {
  let db: Db;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ db, close } = await backend.open());
  });
  afterAll(() => close?.());

  it('applies every shipped migration once, records it, and a second run applies nothing', async () => {
    await emptyDatabase(db);
    const shipped = loadMigrations();
    expect(await migrationsUpToDate(db, shipped)).toBe(false);

    const first = await migrate(db, shipped);
    expect(first.applied.map((m) => m.version)).toEqual(shipped.map((m) => m.version));
    expect(first.current).toBe(shipped.at(-1)?.version);
    expect(await recorded(db)).toEqual(
      shipped.map((m) => ({ version: m.version, name: m.name, checksum: m.checksum })),
    );
    const shape = await schemaShape(db);
    expect(shape).toContain('demo.invoices.amount:numeric');
    expect(shape).toContain('public.audit_log.hash:text');

    const second = await migrate(db, shipped);
    expect(second.applied).toEqual([]);
    expect(second.current).toBe(first.current);
    expect(await schemaShape(db)).toEqual(shape);
    expect(await recorded(db)).toHaveLength(shipped.length);
    expect(await migrationsUpToDate(db, shipped)).toBe(true);
  });

  it('rolls a failing migration back completely, keeps the earlier ones, and raises storage.migration_failed', async () => {
    await emptyDatabase(db);
    const dir = migrationDir(BAD);
    const err = await caught(migrate(db, loadMigrations(dir)));
    expect(err.code).toBe('storage.migration_failed');
    expect(err.details).toEqual({ version: 2 });
    expect(err.message).toContain('2_broken');
    expect(err.message).toContain('relation "missing_table" does not exist');

    expect((await recorded(db)).map((m) => m.version)).toEqual([1]);
    expect(await schemaShape(db)).toEqual([
      'public.notes.body:text',
      'public.notes.id:integer',
      'public.schema_migrations.applied_at:timestamp with time zone',
      'public.schema_migrations.checksum:text',
      'public.schema_migrations.name:text',
      'public.schema_migrations.version:integer',
    ]);
    const notes = await db.query('SELECT body FROM notes ORDER BY id');
    expect(notes.rows).toEqual([{ body: 'first' }]);

    // Fixed, the same directory then applies only the missing migration.
    writeFileSync(
      join(dir, '002_broken.sql'),
      BAD['002_broken.sql'].replace(/\nINSERT INTO missing_table.*$/, ''),
    );
    const fixed = await migrate(db, loadMigrations(dir));
    expect(fixed.applied.map((m) => m.version)).toEqual([2]);
    const after = await db.query('SELECT body, pinned FROM notes ORDER BY id');
    expect(after.rows).toEqual([
      { body: 'first', pinned: false },
      { body: 'second', pinned: false },
    ]);
  });

  it('reports an applied migration whose file changed, and applies nothing after it', async () => {
    await emptyDatabase(db);
    const dir = migrationDir(GOOD);
    await migrate(db, loadMigrations(dir));
    writeFileSync(join(dir, '001_notes.sql'), `${GOOD['001_notes.sql']}\n-- edited after release`);
    writeFileSync(join(dir, '002_more.sql'), 'CREATE TABLE more (id int);');
    const edited = loadMigrations(dir);
    const err = await caught(migrate(db, edited));
    expect(err.code).toBe('storage.migration_failed');
    expect(err.details).toEqual({ version: 1 });
    expect(err.message).toContain('was changed after it was applied');
    expect(err.message).toContain(edited[0].checksum);
    expect((await recorded(db)).map((m) => m.version)).toEqual([1]);
    const more = await db.query<{ t: string | null }>("SELECT to_regclass('more')::text AS t");
    expect(more.rows[0].t).toBeNull();
  });

  it('applies each migration exactly once when several migrators race on an empty database', async () => {
    const dir = migrationDir({ ...GOOD, '002_more.sql': 'CREATE TABLE more (id int);' });
    for (let round = 0; round < 3; round++) {
      await emptyDatabase(db);
      const results = await Promise.all(Array.from({ length: 4 }, () => migrate(db, loadMigrations(dir))));
      expect(results.flatMap((r) => r.applied.map((m) => m.version)).sort()).toEqual([1, 2]);
      expect(results.map((r) => r.current)).toEqual([2, 2, 2, 2]);
      const notes = await db.query<{ n: number }>('SELECT count(*) AS n FROM notes');
      expect(notes.rows[0].n).toBe(1);
    }
  });
});

describe('loadMigrations', () => {
  it('reads NNN_name.sql files in version order with checksums and ignores other files', () => {
    const dir = migrationDir({
      '010_later.sql': 'SELECT 2;',
      '002_first.sql': 'SELECT 1;',
      'README.md': '# not a migration',
      '003-bad-name.sql': 'SELECT 3;',
    });
    const ms = loadMigrations(dir);
    expect(ms.map((m) => [m.version, m.name])).toEqual([
      [2, 'first'],
      [10, 'later'],
    ]);
    expect(ms[0].checksum).toMatch(/^[0-9a-f]{16}$/);
    expect(ms[0].checksum).not.toBe(ms[1].checksum);
  });

  it('refuses two files with the same version', () => {
    const dir = migrationDir({ '001_a.sql': 'SELECT 1;', '001_b.sql': 'SELECT 2;' });
    expect(() => loadMigrations(dir)).toThrow(/Duplicate migration version 1/);
  });
});

for (const reason of skipped) {
  describe.skip(`migrations on ${reason}`, () => {
    it('runs the migration suite', () => {});
  });
}
