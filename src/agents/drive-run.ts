import type { Engine } from '../core/engine.js';
import type { RunErrorInfo } from '../core/run-request.js';
import type { AgentEvent, AgentRunRecord, AnswerData } from './agent-types.js';
import { checkResults, offlineCritique } from './critic/check-results.js';
import { modelCritique } from './critic/model-critic.js';
import { type Execution, executePlan } from './execute/execute-plan.js';
import type { ModelCallContext } from './models/call-model.js';
import type { RoleModels } from './models/chat-models.js';
import { makePlan, type PlannerDeps, type PlanOutcome } from './plan/make-plan.js';
import type { PromptLibrary } from './prompts/prompt-library.js';
import { type AgentRunPatch, updateAgentRun } from './store/agent-store.js';
import { listAgentSteps } from './store/step-store.js';
import { insertCritique } from './store/trace-store.js';
import { modelSynthesis, offlineSynthesis, renderAnswer } from './synth/synthesize.js';

/** Step failures a new plan can fix (the planner gets the error); others end the run. */
const FIXABLE = new Set([
  'skill.input_invalid',
  'resource.not_found',
  'skill.not_found',
  'skill.output_invalid',
]);
/** Replans after failed steps, per run. */
export const MAX_FAILURE_REPLANS = 2;

export interface DriveDeps extends Omit<PlannerDeps, 'model' | 'agentRunId'> {
  engine: Engine;
  models: RoleModels;
  prompts: PromptLibrary;
  signal?: AbortSignal;
  modelCtx: (role?: string) => ModelCallContext;
}

/** Where a drive ended: paused for approvals, or finished with a status. */
export type DriveEnd = 'paused' | 'finished';

function feedbackOfFailure(exec: Execution): string {
  const lines = exec.failed.map(
    (v) =>
      `Step ${v.step.id} (${v.step.skill}) failed: ${v.error?.code}: ${v.error?.message}. Its input was ${JSON.stringify(v.instances.at(-1)?.input ?? v.step.input)}.`,
  );
  const done = exec.views
    .filter((v) => v.status === 'succeeded')
    .map((v) => `${v.step.id} (${v.step.skill}) succeeded`);
  return [
    ...lines,
    done.length ? `Already done (their results are reused when repeated): ${done.join(', ')}.` : '',
  ]
    .filter(Boolean)
    .join('\n');
}

/**
 * The loop after a plan exists (or after a resume): execute -> (pause for approvals) -> replan
 * fixable failures -> critic -> revise (bounded) / escalate / synthesize. Every transition is
 * recorded on the run; the run never loops more than `max_critic_rounds` + `MAX_FAILURE_REPLANS`
 * times. Throws what model calls throw (`budget.exceeded`, `llm.provider_failed`); the caller
 * records it.
 */
export async function driveRun(deps: DriveDeps, run: AgentRunRecord, start: PlanOutcome): Promise<DriveEnd> {
  const { db, config } = deps;
  const emit = (type: AgentEvent['type'], data: Record<string, unknown>) =>
    deps.onEvent?.({ type, agentRunId: run.id, ts: deps.clock(), data });
  const plannerModel = deps.models.planner ? { ctx: deps.modelCtx(), prompts: deps.prompts } : undefined;
  const replan = async (reason: string, feedback: string): Promise<PlanOutcome> => {
    const next = await makePlan({ ...deps, agentRunId: run.id, model: plannerModel }, run.request, {
      version: current.version + 1,
      reason,
      feedback,
    });
    run.planVersion = next.version;
    run.goal = next.plan.goal;
    await updateAgentRun(db, run.id, { planVersion: next.version, goal: next.plan.goal, state: run.state });
    return next;
  };
  const finish = async (patch: AgentRunPatch & { answerData?: AnswerData | null }) => {
    const now = deps.clock();
    const full: AgentRunPatch = {
      ...patch,
      finishedAt: now,
      durationMs: now.getTime() - new Date(run.createdAt).getTime(),
    };
    if (patch.answerData) full.answer = renderAnswer(patch.answerData);
    Object.assign(run, full);
    await updateAgentRun(db, run.id, full);
    emit('agent_finished', { status: run.status, error: run.error?.code ?? null });
    return 'finished' as const;
  };

  let current = start;
  for (;;) {
    if (current.plan.clarification && current.plan.steps.length === 0) {
      return finish({ status: 'needs_input', question: current.plan.clarification, goal: current.plan.goal });
    }
    const all = await listAgentSteps(db, run.id);
    const exec = await executePlan(
      {
        engine: deps.engine,
        db,
        registry: deps.registry,
        config,
        principal: deps.principal,
        agentRunId: run.id,
        idempotencyKey: run.idempotencyKey ?? undefined,
        planVersion: current.version,
        planPrompt: current.prompt,
        request: run.request,
        signal: deps.signal,
        onEvent: deps.onEvent,
        model: deps.models.executor ? { ctx: deps.modelCtx(), prompts: deps.prompts } : undefined,
        clock: deps.clock,
      },
      current.plan,
      all.filter((s) => s.planVersion === current.version),
      all.filter((s) => s.planVersion < current.version),
    );
    if (deps.signal?.aborted) {
      return finish({ status: 'cancelled', answerData: offlineSynthesis(exec.views) });
    }
    if (exec.waiting.length > 0) {
      await updateAgentRun(db, run.id, { status: 'waiting_approval' });
      run.status = 'waiting_approval';
      emit('waiting_approval', {
        approvals: exec.waiting.map((w) => ({
          step: w.stepKey,
          skill: w.skillId,
          approval: w.approvalId ?? null,
        })),
      });
      return 'paused';
    }
    if (exec.failed.length > 0) {
      const first = exec.failed[0];
      if (plannerModel && FIXABLE.has(first.error?.code ?? '') && run.state.replans < MAX_FAILURE_REPLANS) {
        run.state = { ...run.state, replans: run.state.replans + 1 };
        current = await replan('step_failed', feedbackOfFailure(exec));
        continue;
      }
      return finish({
        status: 'failed',
        error: first.error as RunErrorInfo,
        answerData: offlineSynthesis(exec.views),
      });
    }
    const checks = checkResults(exec.views, deps.registry);
    const round = run.criticRounds + 1;
    const critic = deps.models.critic
      ? await modelCritique(deps.modelCtx(), deps.prompts, {
          request: run.request,
          goal: current.plan.goal,
          views: exec.views,
          checks,
          round,
          maxRounds: config.models.max_critic_rounds,
        })
      : { verdict: offlineCritique(checks), prompt: 'offline-critic@1' };
    const v = critic.verdict;
    await insertCritique(db, run.id, {
      round,
      planVersion: current.version,
      verdict: v.verdict,
      reasons: v.reasons,
      summary: v.summary,
      source: deps.models.critic ? 'model' : 'offline',
      prompt: critic.prompt,
    });
    run.criticRounds = round;
    await updateAgentRun(db, run.id, { criticRounds: round });
    emit('critic_verdict', { round, verdict: v.verdict, reasons: v.reasons, summary: v.summary });
    if (v.verdict === 'approve') {
      const data = deps.models.synthesizer
        ? (await modelSynthesis(deps.modelCtx(), deps.prompts, run.request, exec.views)).data
        : offlineSynthesis(exec.views);
      return finish({ status: 'succeeded', answerData: data });
    }
    if (v.verdict === 'revise' && plannerModel && round <= config.models.max_critic_rounds) {
      current = await replan(
        'revise',
        `The critic asked for a revision: ${v.summary}\n- ${v.reasons.join('\n- ')}`,
      );
      continue;
    }
    const summary =
      v.verdict === 'revise'
        ? `The critic still asks for changes after ${round} round${round > 1 ? 's' : ''}: ${v.summary}`
        : v.summary;
    return finish({
      status: 'escalated',
      escalation: { summary, reasons: v.reasons },
      answerData: offlineSynthesis(exec.views),
    });
  }
}
