import PQueue from 'p-queue';
import { SkillgateError, toSkillgateError } from '../../core/errors.js';
import type { ChildRunResult, HandlerContext, HandlerResult, StepRecord } from '../handler.js';
import type { PipelineStep } from '../skill-spec.js';
import { evaluateCondition, renderTemplate } from '../template/index.js';
import { type PipelineHandlerSpec, stepDependencies } from './pipeline-graph.js';

/** What templates see of a finished step as `steps.<id>`. */
export interface StepState {
  status: 'succeeded' | 'failed' | 'skipped' | 'pending_approval';
  output?: unknown;
  run_id?: string;
}

/** The failure that stopped a pipeline; templates of `on_failure` steps see it as `error`. */
export interface PipelineFailure {
  step: string;
  skill: string;
  code: string;
  message: string;
  run_id?: string;
}

/** Child statuses that count as success (`dry_run` when a dry run executes a step). */
const SUCCESS = new Set(['succeeded', 'dry_run']);

/** Top-level keys rendered to `undefined` (missing paths) are dropped from a step's input. */
export function renderStepInput(step: PipelineStep, scope: Record<string, unknown>): Record<string, unknown> {
  const rendered = renderTemplate(step.with, scope) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(rendered).filter(([, v]) => v !== undefined));
}

interface StepOutcome {
  state: StepState;
  failure?: PipelineFailure;
}

/**
 * Runs one step through `ctx.invoke` (every gate applies to the child) and reports it with
 * `ctx.step`: `running`, then `succeeded` / `failed` / `pending_approval`, or only `skipped` when
 * its `if:` is false. Never throws: failures come back in the outcome.
 */
async function runStep(
  step: PipelineStep,
  ctx: HandlerContext,
  scope: Record<string, unknown>,
): Promise<StepOutcome> {
  const startedAt = new Date();
  const base = { stepId: step.id, skillId: step.uses };
  const fail = (
    code: string,
    message: string,
    runId?: string,
    status: StepState['status'] = 'failed',
  ): StepOutcome => {
    const error = { code, message };
    ctx.step({
      ...base,
      status: status === 'pending_approval' ? 'pending_approval' : 'failed',
      childRunId: runId,
      startedAt,
      finishedAt: new Date(),
      error,
    });
    return {
      state: { status, run_id: runId },
      failure: { step: step.id, skill: step.uses, code, message, run_id: runId },
    };
  };
  let input: Record<string, unknown>;
  try {
    if (step.if && !evaluateCondition(step.if, scope)) {
      ctx.step({ ...base, status: 'skipped', startedAt, finishedAt: startedAt });
      return { state: { status: 'skipped' } };
    }
    input = renderStepInput(step, scope);
  } catch (err) {
    const e = toSkillgateError(err);
    return fail(e.code, e.message);
  }
  ctx.step({ ...base, status: 'running', startedAt });
  let result: ChildRunResult;
  try {
    result = await ctx.invoke({ skill: step.uses, input, mode: ctx.mode, stepId: step.id });
  } catch (err) {
    const e = toSkillgateError(err, 'skill.failed');
    return fail(e.code, e.message);
  }
  if (SUCCESS.has(result.status)) {
    ctx.step({
      ...base,
      status: 'succeeded',
      childRunId: result.runId,
      startedAt,
      finishedAt: new Date(),
      output: result.output,
    });
    return { state: { status: 'succeeded', output: result.output, run_id: result.runId } };
  }
  if (result.status === 'pending_approval') {
    return fail(
      'approval.required',
      `step "${step.id}" (${step.uses}) asked for its own approval (child run ${result.runId}); pipelines are approved as a whole, so the pipeline stopped — approve the pipeline itself or change the policy for ${step.uses}`,
      result.runId,
      'pending_approval',
    );
  }
  const code = result.error?.code ?? 'skill.failed';
  return fail(
    code,
    result.error?.message ?? `the child run ended with status ${result.status}`,
    result.runId,
  );
}

/**
 * Runs a pipeline: steps are scheduled topologically on a `p-queue` with `spec.concurrency`
 * (a step starts as soon as its `needs` and the steps its templates read are done; a step skipped
 * by its `if:` counts as done, with no output). Each step's `with` renders over `{input, steps}`
 * (`steps.<id>.output`, `.status`, `.run_id`).
 *
 * Fail fast: the first failure (a failed child, a thrown invoke, a template error, or a child
 * waiting for its own approval) stops scheduling; running steps finish, the steps not started are
 * reported `skipped`, then the `on_failure` steps run in order over `{input, steps, error}` (a
 * failing `on_failure` step is reported and the next one still runs), and the pipeline throws
 * `pipeline.step_failed` naming the step, the cause and the child run. When `ctx.signal` aborts,
 * no new step starts and the run throws the abort reason (`on_failure` does not run).
 *
 * Output: `spec.output` rendered over `{input, steps}`, or `{steps: {<id>: output}}` of the steps
 * that succeeded.
 */
export async function runPipeline(spec: PipelineHandlerSpec, ctx: HandlerContext): Promise<HandlerResult> {
  const deps = stepDependencies(spec);
  const byId = new Map(spec.steps.map((s) => [s.id, s]));
  const steps: Record<string, StepState> = {};
  const started = new Set<string>();
  const queue = new PQueue({ concurrency: spec.concurrency });
  let failure: PipelineFailure | undefined;

  const stopped = () => failure !== undefined || ctx.signal.aborted;
  const scheduleReady = () => {
    if (stopped()) return;
    for (const step of spec.steps) {
      if (started.has(step.id)) continue;
      if (![...(deps.get(step.id) ?? [])].every((d) => steps[d] && steps[d].status !== 'failed')) continue;
      started.add(step.id);
      void queue.add(async () => {
        if (stopped()) {
          started.delete(step.id);
          return;
        }
        const outcome = await runStep(byId.get(step.id) as PipelineStep, ctx, { input: ctx.input, steps });
        steps[step.id] = outcome.state;
        failure ??= outcome.failure;
        scheduleReady();
      });
    }
  };
  scheduleReady();
  await queue.onIdle();

  const now = new Date();
  for (const step of spec.steps) {
    if (steps[step.id]) continue;
    steps[step.id] = { status: 'skipped' };
    const record: StepRecord = { stepId: step.id, skillId: step.uses, status: 'skipped', finishedAt: now };
    ctx.step(record);
  }
  if (ctx.signal.aborted) {
    const reason = ctx.signal.reason;
    throw reason instanceof SkillgateError
      ? reason
      : new SkillgateError('skill.aborted', `The pipeline ${ctx.skill.id} was cancelled.`, {
          skill: ctx.skill.id,
        });
  }
  if (failure) {
    const recovery = await runOnFailure(spec, ctx, steps, failure);
    throw new SkillgateError(
      'pipeline.step_failed',
      `Pipeline ${ctx.skill.id} failed at step "${failure.step}" (${failure.skill}): ${failure.code}: ${failure.message}${recovery.summary}`,
      {
        skill: ctx.skill.id,
        step: failure.step,
        step_skill: failure.skill,
        cause_code: failure.code,
        child_run_id: failure.run_id ?? null,
        on_failure: recovery.status,
      },
    );
  }
  const output =
    spec.output !== undefined
      ? renderTemplate(spec.output, { input: ctx.input, steps })
      : {
          steps: Object.fromEntries(
            Object.entries(steps)
              .filter(([, s]) => s.status === 'succeeded')
              .map(([id, s]) => [id, s.output]),
          ),
        };
  return { output };
}

async function runOnFailure(
  spec: PipelineHandlerSpec,
  ctx: HandlerContext,
  steps: Record<string, StepState>,
  error: PipelineFailure,
): Promise<{ status: 'none' | 'succeeded' | 'failed'; summary: string }> {
  if (spec.on_failure.length === 0) return { status: 'none', summary: '' };
  const failed: string[] = [];
  for (const step of spec.on_failure) {
    const outcome = await runStep(step, ctx, { input: ctx.input, steps, error });
    steps[step.id] = outcome.state;
    if (outcome.failure) failed.push(`${step.id} (${outcome.failure.code}: ${outcome.failure.message})`);
  }
  return failed.length === 0
    ? {
        status: 'succeeded',
        summary: `; on_failure steps ran: ${spec.on_failure.map((s) => s.id).join(', ')}`,
      }
    : { status: 'failed', summary: `; on_failure steps failed: ${failed.join('; ')}` };
}
