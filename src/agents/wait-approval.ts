import type { Db } from '../db/db.js';
import { agentRunOfApproval } from './store/step-store.js';

const FINAL_APPROVAL = new Set(['denied', 'expired', 'executed', 'failed', 'cancelled']);

/**
 * After a decision on `approvalId`: the agent run waiting on it (if any), once the approval's
 * outcome is settled — denied or expired at once; approved only when its run has finished
 * executing (polling with backoff, up to the skill's timeout plus a margin, since the engine
 * executes an approved run right after recording the decision). Undefined when no agent run
 * waits on the approval.
 */
export async function waitForApprovalOutcome(
  db: Db,
  approvalId: string,
  maxWaitMs = 3_600_000,
): Promise<string | undefined> {
  const agentRunId = await agentRunOfApproval(db, approvalId);
  if (!agentRunId) return undefined;
  const started = Date.now();
  let delay = 10;
  for (;;) {
    const r = await db.query<{ status: string; run_status: string | null }>(
      `SELECT a.status, r.status AS run_status FROM approvals a LEFT JOIN runs r ON r.id = a.run_id WHERE a.id = $1`,
      [approvalId],
    );
    const row = r.rows[0];
    if (!row) return agentRunId;
    const runFinal =
      row.run_status !== null && row.run_status !== 'waiting_approval' && row.run_status !== 'running';
    if (FINAL_APPROVAL.has(row.status) && runFinal) return agentRunId;
    // Still pending (a vote short of quorum): nothing to resume yet.
    if (row.status === 'pending') return undefined;
    if (Date.now() - started > maxWaitMs) return agentRunId;
    await new Promise((res) => setTimeout(res, delay));
    delay = Math.min(delay * 2, 1000);
  }
}
