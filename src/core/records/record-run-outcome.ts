import type { Queryable } from '../../db/db.js';
import { type AuditEntryInput, auditPayloadParts } from '../audit/audit-log.js';
import type { EngineEvent } from '../events.js';
import type { RunRecord } from './run-record.js';
import { eventRow, toRow } from './run-store.js';

/** What a run leaves behind when it ends (or is refused, or previewed). */
export interface RunOutcome {
  run: RunRecord;
  /** `true`: the run has no row yet (insert it whole); `false`: update its outcome columns. */
  insert: boolean;
  events: readonly EngineEvent[];
  audit: AuditEntryInput;
}

/** The arguments of `record_run_outcome` (migration 070) for one outcome. */
function outcomeArgs(o: RunOutcome) {
  const { head, tail } = auditPayloadParts(o.audit);
  const a = o.audit;
  return {
    run: toRow(o.run),
    insert: o.insert,
    events: o.events.map(eventRow),
    audit: {
      ts: a.ts,
      tenant: a.tenant,
      actor: a.actor,
      action: a.action,
      target: a.target ?? null,
      run_id: a.runId ?? null,
      data: a.data ?? {},
    },
    head: `\n${head}`,
    tail,
  };
}

/**
 * Records runs' outcomes, their events and their hash-chained audit entries atomically in one
 * round trip (`record_run_outcome(s)`, migration 070): the database links each entry to the chain
 * under the head row's lock, hashing exactly what `auditHash` hashes, so `verifyAudit` checks it
 * like any other entry; entries are appended in array order. On `insert: false` only the outcome
 * columns (status, output, error, cost, tokens, attempts, finished_at, duration_ms) change.
 * All or nothing: if one outcome fails, none is written.
 */
export async function recordRunOutcomes(q: Queryable, outcomes: readonly RunOutcome[]): Promise<void> {
  if (outcomes.length === 0) return;
  if (outcomes.length > 1) {
    await q.query('SELECT record_run_outcomes($1)', [JSON.stringify(outcomes.map(outcomeArgs))]);
    return;
  }
  const o = outcomeArgs(outcomes[0]);
  await q.query('SELECT record_run_outcome($1, $2, $3, $4, $5, $6)', [
    JSON.stringify(o.run),
    o.insert,
    JSON.stringify(o.events),
    JSON.stringify(o.audit),
    o.head,
    o.tail,
  ]);
}
