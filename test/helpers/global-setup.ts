import { existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { loadMigrations, migrate } from '../../src/db/migrate.js';
import { PgDb } from '../../src/db/pg-db.js';
import { PgliteDb } from '../../src/db/pglite-db.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string;
    postgresTemplateDb: string | null;
  }
}

/**
 * Builds a migrated PGlite snapshot once (cached by the migrations' checksums), so that every test
 * file loads it in well under a second instead of creating and migrating a fresh database.
 * With `SKILLGATE_TEST_DATABASE_URL`, also migrates a template database on the real server.
 */
export default async function setup(project: TestProject) {
  const migrations = loadMigrations();
  const key = migrations.map((m) => `${m.version}-${m.checksum}`).join('_');
  const { createHash } = await import('node:crypto');
  const file = join(
    tmpdir(),
    `skillgate-template-${createHash('sha256').update(key).digest('hex').slice(0, 12)}.tgz`,
  );
  if (!existsSync(file)) {
    const db = await PgliteDb.open();
    await migrate(db, migrations);
    const blob = await db.dump();
    writeFileSync(file, Buffer.from(await blob.arrayBuffer()));
    await db.close();
  }
  project.provide('pgliteTemplate', file);

  const url = process.env.SKILLGATE_TEST_DATABASE_URL;
  if (url) {
    const admin = await PgDb.open({ connectionString: url, max: 1 });
    const name = `skillgate_tpl_${process.pid}`;
    await admin.exec(`DROP DATABASE IF EXISTS ${name}`);
    await admin.exec(`CREATE DATABASE ${name}`);
    const u = new URL(url);
    u.pathname = `/${name}`;
    const tpl = await PgDb.open({ connectionString: u.toString(), max: 1 });
    await migrate(tpl, migrations);
    await tpl.close();
    await admin.close();
    project.provide('postgresTemplateDb', name);
    return async () => {
      const a = await PgDb.open({ connectionString: url, max: 1 });
      await a.exec(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {});
      await a.close();
    };
  }
  project.provide('postgresTemplateDb', null);
  return undefined;
}
