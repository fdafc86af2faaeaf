import { join } from 'node:path';
import type { Db } from './db.js';
import { PgDb } from './pg-db.js';
import { PgliteDb, type WasmTier } from './pglite-db.js';

export interface OpenDbOptions {
  /** `DATABASE_URL`; when set, node-postgres is used. */
  databaseUrl?: string;
  /** `$SKILLGATE_HOME`; the embedded database lives in `<home>/pgdata`. */
  home: string;
  /** Use an in-memory embedded database (tests, throwaway runs). */
  memory?: boolean;
  /** PGlite `shared_buffers` (config `pglite.shared_buffers`); default {@link PgliteDb}'s. */
  sharedBuffers?: string;
  /** PGlite's WebAssembly tier (config `pglite.wasm_tier`); default {@link PgliteDb}'s. */
  wasmTier?: WasmTier;
}

/** Opens the configured backend: Postgres when a URL is given, else embedded PGlite. */
export async function openDb(options: OpenDbOptions): Promise<Db> {
  if (options.databaseUrl) return PgDb.open({ connectionString: options.databaseUrl });
  return PgliteDb.open({
    dataDir: options.memory ? undefined : join(options.home, 'pgdata'),
    sharedBuffers: options.sharedBuffers,
    wasmTier: options.wasmTier,
  });
}
