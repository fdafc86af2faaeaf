import PQueue from 'p-queue';
import { toSkillgateError } from '../../core/errors.js';
import type { HandlerContext } from '../handler.js';
import type { PipelineStep } from '../skill-spec.js';
import { evaluateCondition } from '../template/index.js';
import { type PipelineHandlerSpec, stepDependencies, topologicalLayers } from './pipeline-graph.js';
import { renderStepInput, type StepState } from './run-pipeline.js';

/** One step of a pipeline's dry-run plan. */
export interface PlannedStep {
  id: string;
  uses: string;
  /** Every step it waits for (`needs` plus the steps its templates read). */
  after: string[];
  /** Its rendered input, when it does not depend on outputs unknown in a dry run. */
  input?: Record<string, unknown>;
  /** True when the input (or `if:`) reads outputs of earlier steps that a dry run cannot know. */
  input_pending?: true;
  /** True when its `if:` is already known to be false. */
  would_skip?: true;
  /** The child's dry-run status, preview and (read-only skills run in a dry run) output. */
  status?: string;
  preview?: unknown;
  output?: unknown;
  error?: { code: string; message: string };
}

/** The dry-run plan of a pipeline (its `preview`). */
export interface PipelinePlan {
  pipeline: string;
  concurrency: number;
  /** Steps in topological layers: every step of layer n may run in parallel once layer n-1 is done. */
  layers: PlannedStep[][];
  /** The steps that would run, in order, if a step failed. */
  on_failure: { id: string; uses: string }[];
}

/**
 * Dry run of a pipeline, without side effects of its own. For each layer, every step whose input
 * can be rendered — from the pipeline input, and from the outputs of upstream steps whose dry run
 * produced one (read-only skills execute in a dry run) — is rendered and dry-run with
 * `ctx.invoke({mode: 'dry_run'})` to include its own preview; a step whose `if:` is false is
 * marked `would_skip`; other steps are marked `input_pending`. A failing child dry run is
 * recorded in its step (`error`), not thrown. Nothing is reported with `ctx.step`.
 */
export async function previewPipeline(spec: PipelineHandlerSpec, ctx: HandlerContext): Promise<PipelinePlan> {
  const deps = stepDependencies(spec);
  const byId = new Map(spec.steps.map((s) => [s.id, s]));
  const known: Record<string, StepState> = {};
  const queue = new PQueue({ concurrency: spec.concurrency });
  const layers: PlannedStep[][] = [];
  for (const ids of topologicalLayers(spec)) {
    const planned = await Promise.all(
      ids.map((id) =>
        queue.add(() => planStep(byId.get(id) as PipelineStep, [...(deps.get(id) ?? [])], known, ctx)),
      ),
    );
    layers.push(planned);
  }
  return {
    pipeline: ctx.skill.id,
    concurrency: spec.concurrency,
    layers,
    on_failure: spec.on_failure.map((s) => ({ id: s.id, uses: s.uses })),
  };
}

async function planStep(
  step: PipelineStep,
  after: string[],
  known: Record<string, StepState>,
  ctx: HandlerContext,
): Promise<PlannedStep> {
  const plan: PlannedStep = { id: step.id, uses: step.uses, after };
  if (!after.every((d) => known[d])) {
    plan.input_pending = true;
    return plan;
  }
  const scope = { input: ctx.input, steps: known };
  try {
    if (step.if && !evaluateCondition(step.if, scope)) {
      plan.would_skip = true;
      known[step.id] = { status: 'skipped' };
      return plan;
    }
    plan.input = renderStepInput(step, scope);
    const result = await ctx.invoke({
      skill: step.uses,
      input: plan.input,
      mode: 'dry_run',
      stepId: step.id,
    });
    plan.status = result.status;
    if (result.preview !== undefined) plan.preview = result.preview;
    if (result.output !== undefined) plan.output = result.output;
    if (result.error) plan.error = { code: result.error.code, message: result.error.message };
    if (!result.error && result.output !== undefined && result.status !== 'pending_approval') {
      known[step.id] = { status: 'succeeded', output: result.output, run_id: result.runId };
    }
  } catch (err) {
    const e = toSkillgateError(err);
    plan.error = { code: e.code, message: e.message };
  }
  return plan;
}
