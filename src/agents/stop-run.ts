import type { SkillgateError } from '../core/errors.js';
import type { Db } from '../db/db.js';
import { currentPlan, viewsFromRecords } from './agent-result.js';
import type { AgentEvent, AgentRunRecord } from './agent-types.js';
import { updateAgentRun } from './store/agent-store.js';
import { listAgentSteps } from './store/step-store.js';
import { offlineSynthesis, renderAnswer } from './synth/synthesize.js';

export interface RecordStopOptions {
  /** Steps with `derive` ran through the executor model (their outputs are lists). */
  derivedByModel: boolean;
  clock: () => Date;
  onEvent?: (e: AgentEvent) => void;
}

/**
 * Records a run stopped by an error (`budget.exceeded`, `llm.provider_failed`,
 * `agent.plan_invalid`, a cancellation): status `failed` (`cancelled` for `skill.aborted`), the
 * error, and an answer saying what was done before it stopped, from the recorded steps, so that
 * nothing done is left unreported.
 */
export async function recordStop(
  db: Db,
  run: AgentRunRecord,
  e: SkillgateError,
  o: RecordStopOptions,
): Promise<void> {
  const plan = run.planVersion > 0 ? await currentPlan(db, run.id, run.planVersion) : undefined;
  const records = run.planVersion > 0 ? await listAgentSteps(db, run.id, run.planVersion) : [];
  const data = plan ? offlineSynthesis(viewsFromRecords(plan.plan, records, o.derivedByModel)) : undefined;
  const now = o.clock();
  const status = e.code === 'skill.aborted' ? 'cancelled' : 'failed';
  await updateAgentRun(db, run.id, {
    status,
    error: e.toJSON(),
    answer: data ? `${e.message}\n${renderAnswer(data)}` : e.message,
    answerData: data ?? null,
    finishedAt: now,
    durationMs: now.getTime() - new Date(run.createdAt).getTime(),
  });
  o.onEvent?.({ type: 'agent_finished', agentRunId: run.id, ts: now, data: { status, error: e.code } });
}
