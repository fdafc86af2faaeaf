import type { Db, Queryable } from '../../db/db.js';
import { canonicalJson, sha256Hex } from '../hash.js';

export interface AuditEntryInput {
  tenant: string;
  actor: string;
  action: string;
  target?: string;
  runId?: string;
  data?: Record<string, unknown>;
  ts: Date;
}

export interface AuditEntry extends AuditEntryInput {
  seq: number;
  prevHash: string;
  hash: string;
}

/**
 * The canonical JSON of an entry split around its sequence number: `head + seq + tail` equals
 * `canonicalJson({seq, ts, tenant, actor, action, target, run_id, data})` (keys sorted, so `seq`
 * sits between `run_id` and `target`). The split lets the database compute the hash of an entry
 * whose `seq` it assigns itself (`record_run_outcome`, migration 070).
 */
export function auditPayloadParts(e: Omit<AuditEntryInput, 'seq'>): { head: string; tail: string } {
  const c = canonicalJson;
  return {
    head: `{"action":${c(e.action)},"actor":${c(e.actor)},"data":${c(e.data ?? {})},"run_id":${c(e.runId ?? null)},"seq":`,
    tail: `,"target":${c(e.target ?? null)},"tenant":${c(e.tenant)},"ts":${c(e.ts.toISOString())}}`,
  };
}

/** The hash of an entry: sha256 over the previous hash and the entry's canonical JSON. */
export function auditHash(prevHash: string, e: Omit<AuditEntry, 'hash' | 'prevHash'>): string {
  const { head, tail } = auditPayloadParts(e);
  return sha256Hex(`${prevHash}\n${head}${e.seq}${tail}`);
}

/**
 * Appends entries to the hash-chained audit log. Call inside a transaction: the head row is
 * locked (`FOR UPDATE`), so concurrent appends from any replica form one chain.
 */
export async function appendAudit(q: Queryable, entries: AuditEntryInput[]): Promise<void> {
  if (entries.length === 0) return;
  const head = await q.query<{ seq: number; hash: string }>(
    'SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE',
  );
  let { seq, hash } = head.rows[0];
  const values: unknown[] = [];
  const tuples: string[] = [];
  for (const e of entries) {
    seq += 1;
    const data = e.data ?? {};
    const next = auditHash(hash, { ...e, seq, data });
    const base = values.length;
    tuples.push(`(${Array.from({ length: 10 }, (_, i) => `$${base + i + 1}`).join(', ')})`);
    values.push(
      seq,
      e.ts,
      e.tenant,
      e.actor,
      e.action,
      e.target ?? null,
      e.runId ?? null,
      JSON.stringify(data),
      hash,
      next,
    );
    hash = next;
  }
  await q.query(
    `INSERT INTO audit_log (seq, ts, tenant, actor, action, target, run_id, data, prev_hash, hash) VALUES ${tuples.join(', ')}`,
    values,
  );
  await q.query('UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1', [seq, hash]);
}

export interface AuditVerification {
  ok: boolean;
  entries: number;
  /** The first sequence number where the chain breaks, and why. */
  brokenAt?: number;
  reason?: string;
}

/**
 * Recomputes the chain: detects an edited entry (hash mismatch), a deleted one (sequence gap or
 * prev-hash mismatch) and deleted newest entries (head mismatch). Reads in pages.
 */
export async function verifyAudit(db: Db, pageSize = 5000): Promise<AuditVerification> {
  let prevHash = 'genesis';
  let expectedSeq = 1;
  let count = 0;
  for (;;) {
    const r = await db.query<{
      seq: number;
      ts: Date;
      tenant: string;
      actor: string;
      action: string;
      target: string | null;
      run_id: string | null;
      data: Record<string, unknown>;
      prev_hash: string;
      hash: string;
    }>('SELECT * FROM audit_log WHERE seq >= $1 ORDER BY seq LIMIT $2', [expectedSeq, pageSize]);
    for (const row of r.rows) {
      if (row.seq !== expectedSeq) {
        return {
          ok: false,
          entries: count,
          brokenAt: expectedSeq,
          reason: `entry ${expectedSeq} is missing`,
        };
      }
      if (row.prev_hash !== prevHash) {
        return {
          ok: false,
          entries: count,
          brokenAt: row.seq,
          reason: `entry ${row.seq} does not link to the previous entry`,
        };
      }
      const h = auditHash(prevHash, {
        seq: row.seq,
        ts: row.ts,
        tenant: row.tenant,
        actor: row.actor,
        action: row.action,
        target: row.target ?? undefined,
        runId: row.run_id ?? undefined,
        data: row.data,
      });
      if (h !== row.hash) {
        return {
          ok: false,
          entries: count,
          brokenAt: row.seq,
          reason: `entry ${row.seq} was modified (hash mismatch)`,
        };
      }
      prevHash = row.hash;
      expectedSeq += 1;
      count += 1;
    }
    if (r.rows.length < pageSize) break;
  }
  const head = await db.query<{ seq: number; hash: string }>('SELECT seq, hash FROM audit_head WHERE id = 1');
  const h = head.rows[0];
  if (!h || h.seq !== count || h.hash !== prevHash) {
    return {
      ok: false,
      entries: count,
      brokenAt: count + 1,
      reason: `the chain ends at entry ${count} but the head records entry ${h?.seq ?? '?'}: newest entries were deleted`,
    };
  }
  return { ok: true, entries: count };
}
