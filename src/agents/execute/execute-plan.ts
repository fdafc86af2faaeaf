import PQueue from 'p-queue';
import { getRun } from '../../core/records/run-store.js';
import type { RunErrorInfo } from '../../core/run-request.js';
import { renderTemplate } from '../../tools/template/index.js';
import type { AgentStepRecord } from '../agent-types.js';
import type { Plan, PlanStep } from '../plan/plan-schema.js';
import { deleteUnstartedSteps, upsertAgentStep } from '../store/step-store.js';
import { deriveStep } from './derive-step.js';
import { type ExecuteContext, fromRunResult, runInstance } from './run-instance.js';

/** A plan step with its executions and combined outcome. */
export interface StepView {
  step: PlanStep;
  status: 'succeeded' | 'failed' | 'waiting' | 'skipped' | 'pending';
  instances: AgentStepRecord[];
  /** The execution's output; a list of outputs for `for_each` and derived steps. */
  output: unknown;
  error?: RunErrorInfo | null;
}

export interface Execution {
  views: StepView[];
  waiting: AgentStepRecord[];
  failed: StepView[];
}

const ERR = (code: string, message: string): RunErrorInfo => ({
  code,
  id: code.toUpperCase().replace(/\./g, '_'),
  message,
  hint: '',
  details: {},
});

function prune(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(prune);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined && v !== '')
        .map(([k, v]) => [k, prune(v)]),
    );
  }
  return value;
}

/** Combines a step's executions into its outcome. */
export function summarize(step: PlanStep, instances: AgentStepRecord[], derived: boolean): StepView {
  const ok = instances.filter((i) => i.status === 'succeeded' || i.status === 'reused');
  const many = derived || step.for_each !== undefined;
  const output = many ? ok.map((i) => i.output) : ok[0]?.output;
  const failed = instances.filter((i) => i.status === 'failed');
  if (instances.some((i) => i.status === 'waiting_approval' || i.status === 'running')) {
    return { step, status: 'waiting', instances, output };
  }
  const bad = derived ? ok.length === 0 && failed.length > 0 : failed.length > 0;
  if (bad) return { step, status: 'failed', instances, output, error: failed.at(-1)?.error };
  return { step, status: 'succeeded', instances, output };
}

/** Brings a recorded execution up to date with its engine run (after an approval decision or a crash). */
async function refresh(ctx: ExecuteContext, rec: AgentStepRecord): Promise<AgentStepRecord> {
  if ((rec.status !== 'waiting_approval' && rec.status !== 'running') || !rec.runId) return rec;
  const run = await getRun(ctx.db, rec.runId);
  if (!run) return { ...rec, status: 'failed', error: ERR('run.not_found', `Run ${rec.runId} is gone.`) };
  const next = fromRunResult(rec, run, ctx.clock());
  if (next.status === rec.status) return rec;
  if (next.status !== 'waiting_approval' && next.status !== 'running') {
    next.output = run.output;
    next.durationMs = run.durationMs ?? null;
  }
  await upsertAgentStep(ctx.db, next);
  ctx.onEvent?.({
    type: 'step_finished',
    agentRunId: ctx.agentRunId,
    ts: ctx.clock(),
    data: { step: next.stepKey, skill: next.skillId, status: next.status, run: next.runId, resumed: true },
  });
  return next;
}

/**
 * Executes a plan version through the engine: steps whose `needs` are done run concurrently
 * (p-queue, `models.concurrency`), `for_each` steps once per item, `derive` steps through the
 * executor model. Executions already recorded for this version (a resumed run) are refreshed from
 * their engine runs instead of running again. A step that waits for an approval blocks only the
 * steps that need it; steps after a failed one are skipped. Everything is recorded as it happens.
 */
export async function executePlan(
  ctx: ExecuteContext,
  plan: Plan,
  existing: AgentStepRecord[],
  previous: AgentStepRecord[],
): Promise<Execution> {
  await deleteUnstartedSteps(ctx.db, ctx.agentRunId, ctx.planVersion);
  const recorded = new Map<string, AgentStepRecord[]>();
  // A step with an execution started but never handed to the engine (a crash) runs again: the
  // idempotency keys make the engine replay the runs it had already made.
  const rerun = new Set(existing.filter((r) => r.status === 'running' && !r.runId).map((r) => r.stepId));
  for (const rec of existing) {
    if (rec.status === 'pending' || rec.status === 'skipped' || rerun.has(rec.stepId)) continue;
    const list = recorded.get(rec.stepId) ?? [];
    list.push(await refresh(ctx, rec));
    recorded.set(rec.stepId, list);
  }
  const views = new Map<string, StepView>();
  for (const step of plan.steps) {
    const recs = recorded.get(step.id);
    if (recs?.length) views.set(step.id, summarize(step, recs, !!step.derive && !!ctx.model));
  }
  const queue = new PQueue({ concurrency: ctx.config.models.concurrency });
  const started = new Set(views.keys());
  const scope = () => ({
    steps: Object.fromEntries([...views].map(([id, v]) => [id, { output: v.output, status: v.status }])),
  });

  const runStep = async (step: PlanStep): Promise<StepView> => {
    const derived = !!step.derive && !!ctx.model;
    const fixed = prune(renderTemplate(step.input, scope())) as Record<string, unknown>;
    if (derived) {
      const needed = Object.fromEntries(step.needs.map((n) => [n, views.get(n)?.output]));
      const recs = await deriveStep(ctx, step, fixed, needed, previous);
      if (recs.length === 0) {
        return fail(
          step,
          ERR('skill.input_invalid', `The executor made no call of ${step.skill} for step ${step.id}.`),
        );
      }
      return summarize(step, recs, true);
    }
    if (step.for_each === undefined) {
      const rec = await runInstance(ctx, {
        step,
        key: step.id,
        input: fixed,
        prompt: ctx.planPrompt,
        previous,
      });
      return summarize(step, [rec], false);
    }
    const items = renderTemplate(step.for_each, scope());
    if (!Array.isArray(items))
      return fail(step, ERR('skill.input_invalid', `for_each of step ${step.id} is not a list.`));
    if (items.length > ctx.config.models.max_fanout) {
      return fail(
        step,
        ERR(
          'skill.input_invalid',
          `for_each of step ${step.id} has ${items.length} items; at most ${ctx.config.models.max_fanout} are allowed.`,
        ),
      );
    }
    const inner = new PQueue({ concurrency: ctx.config.models.concurrency });
    const recs = await Promise.all(
      items.map((item, i) =>
        inner.add(() =>
          runInstance(ctx, {
            step,
            key: `${step.id}#${i}`,
            itemIndex: i,
            input: prune(renderTemplate(step.input, { ...scope(), item })) as Record<string, unknown>,
            prompt: ctx.planPrompt,
            previous,
          }),
        ),
      ),
    );
    return summarize(step, recs as AgentStepRecord[], false);
  };

  const fail = async (step: PlanStep, error: RunErrorInfo): Promise<StepView> => {
    const rec: AgentStepRecord = {
      agentRunId: ctx.agentRunId,
      planVersion: ctx.planVersion,
      stepKey: step.id,
      stepId: step.id,
      skillId: step.skill,
      input: step.input,
      status: 'failed',
      error,
      attempts: 0,
      prompt: ctx.planPrompt,
      startedAt: ctx.clock(),
      finishedAt: ctx.clock(),
    };
    await upsertAgentStep(ctx.db, rec);
    return { step, status: 'failed', instances: [rec], output: undefined, error };
  };

  const schedule = (): void => {
    for (const step of plan.steps) {
      if (started.has(step.id)) continue;
      const needs = step.needs.map((n) => views.get(n)?.status);
      if (needs.some((s) => s === undefined || s === 'waiting' || s === 'pending')) continue;
      started.add(step.id);
      if (needs.some((s) => s !== 'succeeded')) {
        views.set(step.id, { step, status: 'skipped', instances: [], output: undefined });
        continue;
      }
      void queue.add(async () => {
        if (ctx.signal?.aborted) return;
        views.set(step.id, await runStep(step));
        schedule();
      });
    }
  };
  schedule();
  await queue.onIdle();

  // Steps that never started (blocked by an approval, or cancelled) and skipped ones are recorded too.
  for (const step of plan.steps) {
    const v = views.get(step.id);
    if (v && v.status !== 'skipped') continue;
    const status = v ? 'skipped' : 'pending';
    if (!v) views.set(step.id, { step, status, instances: [], output: undefined });
    await upsertAgentStep(ctx.db, {
      agentRunId: ctx.agentRunId,
      planVersion: ctx.planVersion,
      stepKey: step.id,
      stepId: step.id,
      skillId: step.skill,
      input: step.input,
      status,
      attempts: 0,
      prompt: ctx.planPrompt,
    });
  }
  const all = plan.steps.map((s) => views.get(s.id)!);
  return {
    views: all,
    waiting: all.flatMap((v) =>
      v.instances.filter((i) => i.status === 'waiting_approval' || i.status === 'running'),
    ),
    failed: all.filter((v) => v.status === 'failed'),
  };
}
