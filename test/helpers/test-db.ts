import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { inject } from 'vitest';
import type { Db } from '../../src/db/db.js';
import { PgDb } from '../../src/db/pg-db.js';
import { PgliteDb } from '../../src/db/pglite-db.js';

/** A fresh, migrated in-process PGlite loaded from the shared template (~0.4 s). */
export async function createTestDb(): Promise<PgliteDb> {
  const file = inject('pgliteTemplate');
  const blob = new Blob([readFileSync(file)]);
  return PgliteDb.open({ loadDataDir: blob });
}

/** URL of the real Postgres server for tests, if configured. */
export function realPostgresUrl(): string | undefined {
  return process.env.SKILLGATE_TEST_DATABASE_URL || undefined;
}

let counter = 0;

/** A fresh database on the real server, created from the migrated template database. */
export async function createPostgresTestDb(): Promise<{ db: PgDb; drop: () => Promise<void> }> {
  const url = realPostgresUrl();
  const template = inject('postgresTemplateDb');
  if (!url || !template) throw new Error('SKILLGATE_TEST_DATABASE_URL is not set');
  const name = `skillgate_t_${process.pid}_${Date.now()}_${counter++}`;
  const admin = await PgDb.open({ connectionString: url, max: 1 });
  await admin.exec(`CREATE DATABASE ${name} TEMPLATE ${template}`);
  const u = new URL(url);
  u.pathname = `/${name}`;
  const db = await PgDb.open({ connectionString: u.toString() });
  return {
    db,
    drop: async () => {
      await db.close();
      await admin.exec(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.close();
    },
  };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/** PGlite from the template, served over the Postgres wire protocol, reached with node-postgres. */
export async function createSocketTestDb(): Promise<{ db: PgDb; close: () => Promise<void> }> {
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
  const lite = await createTestDb();
  const port = await freePort();
  // maxConnections > 1: pg-pool drops a client after a query error and reconnects before the server
  // has seen the old socket close; the pool (max 1) still keeps one connection active at a time.
  const server = new PGLiteSocketServer({ db: lite.pg, port, host: '127.0.0.1', maxConnections: 4 });
  await server.start();
  // PGlite serves one connection at a time: keep the pool to a single client.
  const db = await PgDb.open({ connectionString: `postgres://postgres@127.0.0.1:${port}/postgres`, max: 1 });
  return {
    db,
    close: async () => {
      await db.close();
      await server.stop();
      await lite.close();
    },
  };
}

export interface Backend {
  name: string;
  open(): Promise<{ db: Db; close: () => Promise<void> }>;
}

/**
 * The backends the shared storage suites run against: PGlite in-process, PGlite over the wire,
 * and a real Postgres server when `SKILLGATE_TEST_DATABASE_URL` is set (otherwise reported skipped).
 */
export function storageBackends(): { backends: Backend[]; skipped: string[] } {
  const backends: Backend[] = [
    {
      name: 'pglite',
      open: async () => {
        const db = await createTestDb();
        return { db, close: () => db.close() };
      },
    },
    { name: 'pglite-socket', open: () => createSocketTestDb() },
  ];
  const skipped: string[] = [];
  if (realPostgresUrl()) {
    backends.push({
      name: 'postgres',
      open: async () => {
        const { db, drop } = await createPostgresTestDb();
        return { db, close: drop };
      },
    });
  } else {
    skipped.push('postgres (set SKILLGATE_TEST_DATABASE_URL to run against a real server)');
  }
  return { backends, skipped };
}
