import type { Queryable } from '../../db/db.js';

export interface IdempotencyClaim {
  tenant: string;
  scope: string;
  skillId: string;
  key: string;
  inputHash: string;
  runId: string;
  ttlMs: number;
  now: Date;
}

export type ClaimResult = { claimed: true } | { claimed: false; runId: string; inputHash: string };

/**
 * Claims an idempotency key for a run (scoped to tenant, principal/source and skill). The first
 * claim wins; a later one gets the first run's id. Expired keys are taken over.
 */
export async function claimIdempotencyKey(q: Queryable, c: IdempotencyClaim): Promise<ClaimResult> {
  const expires = new Date(c.now.getTime() + c.ttlMs);
  const r = await q.query<{ run_id: string; input_hash: string; inserted: boolean }>(
    `INSERT INTO idempotency_keys (tenant, scope, skill_id, key, input_hash, run_id, created_at, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (tenant, scope, skill_id, key) DO UPDATE
       SET input_hash = EXCLUDED.input_hash, run_id = EXCLUDED.run_id,
           created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at
       WHERE idempotency_keys.expires_at <= $7
     RETURNING run_id, input_hash`,
    [c.tenant, c.scope, c.skillId, c.key, c.inputHash, c.runId, c.now, expires],
  );
  if (r.rows.length > 0) return { claimed: true };
  const cur = await q.query<{ run_id: string; input_hash: string }>(
    'SELECT run_id, input_hash FROM idempotency_keys WHERE tenant = $1 AND scope = $2 AND skill_id = $3 AND key = $4',
    [c.tenant, c.scope, c.skillId, c.key],
  );
  const row = cur.rows[0];
  return { claimed: false, runId: row.run_id, inputHash: row.input_hash };
}
