import type { Queryable } from '../../db/db.js';
import type { ExecutionOutcome } from './run-backend.js';

export interface CacheKey {
  tenant: string;
  specHash: string;
  backend: string;
  /** The toolchain version string (`gcc 12.2.0`). */
  toolchain: string;
  emitterVersion: string;
}

const KEY_SQL = 'tenant = $1 AND spec_hash = $2 AND backend = $3 AND toolchain = $4 AND emitter_version = $5';
const params = (k: CacheKey) => [k.tenant, k.specHash, k.backend, k.toolchain, k.emitterVersion];

/** The cached outcome for (spec hash, backend, toolchain version, emitter version), counting the hit. */
export async function readCompileCache(db: Queryable, key: CacheKey): Promise<ExecutionOutcome | undefined> {
  const { rows } = await db.query<{ result: ExecutionOutcome }>(
    `UPDATE code_compile_cache SET hits = hits + 1 WHERE ${KEY_SQL} RETURNING result`,
    params(key),
  );
  return rows[0]?.result;
}

export async function writeCompileCache(
  db: Queryable,
  key: CacheKey,
  outcome: ExecutionOutcome,
): Promise<void> {
  await db.query(
    `INSERT INTO code_compile_cache (tenant, spec_hash, backend, toolchain, emitter_version, result)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (tenant, spec_hash, backend, toolchain, emitter_version) DO UPDATE SET result = EXCLUDED.result, created_at = now()`,
    [...params(key), JSON.stringify(outcome)],
  );
}
