import type { Db } from '../db/db.js';
import type { AgentRunRecord, AgentRunResult, AgentStepRecord } from './agent-types.js';
import { type StepView, summarize } from './execute/execute-plan.js';
import type { Plan } from './plan/plan-schema.js';
import { getAgentRun } from './store/agent-store.js';
import { listAgentSteps } from './store/step-store.js';
import { listPlans } from './store/trace-store.js';

/** The valid plan of a version (its last valid attempt). */
export async function currentPlan(
  db: Db,
  agentRunId: string,
  version: number,
): Promise<{ plan: Plan; prompt: string; source: 'offline' | 'model' } | undefined> {
  const plans = (await listPlans(db, agentRunId)).filter((p) => p.valid && p.version === version);
  const p = plans.at(-1);
  return p ? { plan: p.plan, prompt: p.prompt, source: p.source } : undefined;
}

/** Step views of a plan from its recorded executions (for answers after a stop). */
export function viewsFromRecords(
  plan: Plan,
  records: AgentStepRecord[],
  derivedByModel: boolean,
): StepView[] {
  return plan.steps.map((step) => {
    const recs = records.filter((r) => r.stepId === step.id);
    const started = recs.filter((r) => r.status !== 'pending' && r.status !== 'skipped');
    if (started.length === 0) {
      const status = recs[0]?.status === 'skipped' ? 'skipped' : 'pending';
      return { step, status, instances: [], output: undefined };
    }
    return summarize(step, started, !!step.derive && derivedByModel);
  });
}

/** The public result of an agent run, read back from the database. */
export async function loadAgentResult(
  db: Db,
  agentRunId: string,
  tenant?: string,
): Promise<AgentRunResult | undefined> {
  const run = await getAgentRun(db, agentRunId, tenant);
  if (!run) return undefined;
  return resultOf(db, run);
}

export async function resultOf(db: Db, run: AgentRunRecord): Promise<AgentRunResult> {
  const plan = run.planVersion > 0 ? await currentPlan(db, run.id, run.planVersion) : undefined;
  const steps = run.planVersion > 0 ? await listAgentSteps(db, run.id, run.planVersion) : [];
  const approvals = steps
    .filter((s) => s.status === 'waiting_approval' && s.approvalId)
    .map((s) => ({ approvalId: s.approvalId!, stepKey: s.stepKey, skill: s.skillId }));
  const end = run.finishedAt ?? new Date();
  return {
    id: run.id,
    status: run.status,
    mode: run.mode,
    goal: run.goal ?? undefined,
    answer: run.answer ?? undefined,
    statements: run.answerData?.statements ?? [],
    citations: run.answerData?.citations ?? [],
    question: run.question ?? undefined,
    escalation: run.escalation ?? undefined,
    error: run.error ?? undefined,
    plan: plan?.plan,
    planVersion: run.planVersion,
    steps,
    approvals,
    inputTokens: run.inputTokens,
    outputTokens: run.outputTokens,
    costUsd: run.costUsd,
    durationMs: run.durationMs ?? end.getTime() - new Date(run.createdAt).getTime(),
  };
}
