import type { Skill } from '../skill.js';
import type { PipelineStep, SkillSpec } from '../skill-spec.js';
import { templatePaths, validateCondition, validateTemplate } from '../template/index.js';
import { findCycle, type PipelineHandlerSpec, referencedSteps, stepDependencies } from './pipeline-graph.js';

export interface ValidatePipelineOptions {
  /** The pipeline's own id: a step using it would recurse forever. */
  selfId?: string;
}

function stepProblems(
  step: PipelineStep,
  where: string,
  knownSkillIds: ReadonlySet<string>,
  visible: ReadonlySet<string>,
  options: ValidatePipelineOptions,
): string[] {
  const out: string[] = [];
  if (options.selfId && step.uses === options.selfId)
    out.push(`${where} "${step.id}" uses the pipeline itself`);
  else if (!knownSkillIds.has(step.uses)) out.push(`${where} "${step.id}" uses unknown skill "${step.uses}"`);
  for (const p of validateTemplate(step.with)) out.push(`${where} "${step.id}" with: ${p}`);
  if (step.if) for (const p of validateCondition(step.if)) out.push(`${where} "${step.id}" if: ${p}`);
  for (const ref of referencedSteps(step)) {
    if (!visible.has(ref))
      out.push(`${where} "${step.id}" reads steps.${ref}, which is not a step it can see`);
  }
  return out;
}

/**
 * Problems of a pipeline spec, as human-readable strings (empty when it is valid). Checked:
 * duplicate step ids (main and `on_failure` share one namespace); `uses` of unknown skills (or the
 * pipeline itself, with `selfId`); `needs` naming unknown steps; template syntax of `with`, `if`
 * and `output`; `steps.<id>` references to unknown steps; dependency cycles, reported with their
 * path (`cycle: a -> b -> a`; template references count as dependencies). `on_failure` steps may
 * read every main step and the `on_failure` steps before them; their `needs` are ignored (they run
 * in order). The registry calls this at load time and again whenever skills change.
 *
 * `spec` is the pipeline handler spec, or a whole skill spec: then skills that are not pipelines
 * have no problems, and `selfId` defaults to the skill's id.
 */
export function validatePipeline(
  spec: PipelineHandlerSpec | SkillSpec,
  knownSkillIds: ReadonlySet<string>,
  options: ValidatePipelineOptions = {},
): string[] {
  if ('handler' in spec) {
    if (spec.handler.type !== 'pipeline') return [];
    return validatePipeline(spec.handler, knownSkillIds, { selfId: spec.id, ...options });
  }
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const step of [...spec.steps, ...spec.on_failure]) {
    if (seen.has(step.id)) problems.push(`duplicate step id "${step.id}"`);
    seen.add(step.id);
  }
  const mainIds = new Set(spec.steps.map((s) => s.id));
  for (const step of spec.steps) {
    for (const need of step.needs) {
      if (!mainIds.has(need)) problems.push(`step "${step.id}" needs unknown step "${need}"`);
    }
    problems.push(...stepProblems(step, 'step', knownSkillIds, mainIds, options));
  }
  const visible = new Set(mainIds);
  for (const step of spec.on_failure) {
    problems.push(...stepProblems(step, 'on_failure step', knownSkillIds, visible, options));
    visible.add(step.id);
  }
  if (spec.output !== undefined) {
    for (const p of validateTemplate(spec.output)) problems.push(`output: ${p}`);
    for (const ref of templatePaths(spec.output)) {
      const id = ref.segments[0];
      if (ref.root === 'steps' && typeof id === 'string' && !mainIds.has(id)) {
        problems.push(`output reads steps.${id}, which is not a step`);
      }
    }
  }
  const cycle = findCycle(stepDependencies(spec));
  if (cycle) problems.push(`cycle: ${cycle.join(' -> ')}`);
  return problems;
}

/**
 * `validatePipeline` for a loaded skill (the registry's `validatePipeline` option): no problems for
 * skills that are not pipelines; a pipeline may not use itself.
 */
export function validatePipelineSkill(skill: Skill, knownSkillIds: ReadonlySet<string>): string[] {
  return validatePipeline(skill.spec, knownSkillIds);
}
