import type { Queryable } from '../../db/db.js';
import type { AgentStepRecord, AgentStepStatus } from '../agent-types.js';

const json = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v));

interface StepRow {
  agent_run_id: string;
  plan_version: number;
  step_key: string;
  step_id: string;
  item_index: number | null;
  skill_id: string;
  input: Record<string, unknown> | null;
  input_hash: string | null;
  status: AgentStepStatus;
  run_id: string | null;
  approval_id: string | null;
  output: unknown;
  error: AgentStepRecord['error'];
  attempts: number;
  prompt: string | null;
  started_at: Date | null;
  finished_at: Date | null;
  duration_ms: number | null;
}

function fromRow(r: StepRow): AgentStepRecord {
  return {
    agentRunId: r.agent_run_id,
    planVersion: r.plan_version,
    stepKey: r.step_key,
    stepId: r.step_id,
    itemIndex: r.item_index,
    skillId: r.skill_id,
    input: r.input ?? undefined,
    inputHash: r.input_hash,
    status: r.status,
    runId: r.run_id,
    approvalId: r.approval_id,
    output: r.output ?? undefined,
    error: r.error,
    attempts: r.attempts,
    prompt: r.prompt,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    durationMs: r.duration_ms,
  };
}

/** Inserts or replaces one step execution (keyed by run, plan version and step key). */
export async function upsertAgentStep(q: Queryable, s: AgentStepRecord): Promise<void> {
  await q.query(
    `INSERT INTO agent_steps (agent_run_id, plan_version, step_key, step_id, item_index, skill_id, input, input_hash,
       status, run_id, approval_id, output, error, attempts, prompt, started_at, finished_at, duration_ms)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18)
     ON CONFLICT (agent_run_id, plan_version, step_key) DO UPDATE SET
       input = EXCLUDED.input, input_hash = EXCLUDED.input_hash, status = EXCLUDED.status,
       run_id = EXCLUDED.run_id, approval_id = EXCLUDED.approval_id, output = EXCLUDED.output,
       error = EXCLUDED.error, attempts = EXCLUDED.attempts, prompt = EXCLUDED.prompt,
       started_at = EXCLUDED.started_at, finished_at = EXCLUDED.finished_at, duration_ms = EXCLUDED.duration_ms`,
    [
      s.agentRunId,
      s.planVersion,
      s.stepKey,
      s.stepId,
      s.itemIndex ?? null,
      s.skillId,
      json(s.input),
      s.inputHash ?? null,
      s.status,
      s.runId ?? null,
      s.approvalId ?? null,
      json(s.output),
      json(s.error),
      s.attempts,
      s.prompt ?? null,
      s.startedAt ?? null,
      s.finishedAt ?? null,
      s.durationMs ?? null,
    ],
  );
}

/** Step executions of a run (one plan version, or all), in plan version then key order. */
export async function listAgentSteps(
  q: Queryable,
  agentRunId: string,
  planVersion?: number,
): Promise<AgentStepRecord[]> {
  const r = await q.query<StepRow>(
    `SELECT * FROM agent_steps WHERE agent_run_id = $1 AND ($2::int IS NULL OR plan_version = $2)
      ORDER BY plan_version, started_at NULLS LAST, step_key`,
    [agentRunId, planVersion ?? null],
  );
  return r.rows.map(fromRow);
}

/** The agent run waiting on an approval (or on the engine run of that approval), if any. */
export async function agentRunOfApproval(q: Queryable, approvalId: string): Promise<string | undefined> {
  const r = await q.query<{ agent_run_id: string }>(
    `SELECT agent_run_id FROM agent_steps WHERE approval_id = $1 AND status = 'waiting_approval' LIMIT 1`,
    [approvalId],
  );
  return r.rows[0]?.agent_run_id;
}

/** Engine run ids that paused agent runs wait for, with their agent run. */
export async function waitingEngineRuns(q: Queryable): Promise<{ runId: string; agentRunId: string }[]> {
  const r = await q.query<{ run_id: string; agent_run_id: string }>(
    `SELECT s.run_id, s.agent_run_id FROM agent_steps s JOIN agent_runs a ON a.id = s.agent_run_id
      WHERE s.status = 'waiting_approval' AND a.status = 'waiting_approval' AND s.run_id IS NOT NULL`,
  );
  return r.rows.map((x) => ({ runId: x.run_id, agentRunId: x.agent_run_id }));
}

/** Removes the `pending` / `skipped` placeholders of a plan version before it is executed again. */
export async function deleteUnstartedSteps(
  q: Queryable,
  agentRunId: string,
  planVersion: number,
): Promise<void> {
  await q.query(
    `DELETE FROM agent_steps WHERE agent_run_id = $1 AND plan_version = $2 AND status IN ('pending', 'skipped')`,
    [agentRunId, planVersion],
  );
}

/**
 * Whether any step of a paused agent run waits on an engine run that is no longer waiting or
 * running (its approval was decided, or it expired): then the agent run can continue.
 */
export async function hasDecidedWaits(q: Queryable, agentRunId: string): Promise<boolean> {
  const r = await q.query<{ decided: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM agent_steps s JOIN runs r ON r.id = s.run_id
      WHERE s.agent_run_id = $1 AND s.status = 'waiting_approval'
        AND r.status NOT IN ('waiting_approval', 'running')) AS decided`,
    [agentRunId],
  );
  return r.rows[0]?.decided === true;
}
