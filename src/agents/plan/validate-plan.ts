import type { z } from 'zod';
import type { SkillRegistry } from '../../tools/registry.js';
import { hasPlaceholder, templatePaths, validateTemplate } from '../../tools/template/index.js';
import type { Plan, PlanStep } from './plan-schema.js';

export interface ValidatePlanOptions {
  registry: SkillRegistry;
  /** Most steps a plan may have. */
  maxSteps: number;
  /** Skills offered to the planner (named in the feedback for an unknown skill). */
  offered?: string[];
}

export interface PlanValidation {
  /** The plan with `needs` completed from the templates' references. */
  plan: Plan;
  /** Problems, each a sentence the planner can act on; empty when the plan is valid. */
  issues: string[];
}

/** Step ids a value's templates read (`{{ steps.s1.output }}` -> s1), and whether it reads `item`. */
export function templateRefs(value: unknown): { steps: Set<string>; item: boolean; other: Set<string> } {
  const steps = new Set<string>();
  const other = new Set<string>();
  let item = false;
  for (const p of templatePaths(value)) {
    if (p.root === 'steps' && typeof p.segments[0] === 'string') steps.add(p.segments[0]);
    else if (p.root === 'item') item = true;
    else other.add(p.root);
  }
  return { steps, item, other };
}

function isDynamic(value: unknown): boolean {
  if (typeof value === 'string') return hasPlaceholder(value);
  if (Array.isArray(value)) return value.some(isDynamic);
  if (value && typeof value === 'object') return Object.values(value).some(isDynamic);
  return false;
}

/** Input issues of the parts of a step's input that are known before it runs. */
function inputIssues(step: PlanStep, schema: z.ZodType): string[] {
  const dynamic = new Set(Object.keys(step.input).filter((k) => isDynamic(step.input[k])));
  const fixed = Object.fromEntries(Object.entries(step.input).filter(([k]) => !dynamic.has(k)));
  const parsed = schema.safeParse(fixed);
  if (parsed.success) return [];
  const out: string[] = [];
  for (const issue of parsed.error.issues) {
    const key = issue.path[0];
    if (typeof key === 'string' && dynamic.has(key)) continue;
    // A step with `derive` gets its missing fields from the executor.
    if (step.derive && typeof key === 'string' && !(key in step.input)) continue;
    const where = issue.path.length ? issue.path.join('.') : '(input)';
    out.push(`step ${step.id} (${step.skill}): input ${where}: ${issue.message}`);
  }
  return out;
}

function cycleOf(steps: PlanStep[]): string[] | undefined {
  const byId = new Map(steps.map((s) => [s.id, s]));
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (id: string): string[] | undefined => {
    if (state.get(id) === 'done') return undefined;
    if (state.get(id) === 'visiting') return [...stack.slice(stack.indexOf(id)), id];
    state.set(id, 'visiting');
    stack.push(id);
    for (const n of byId.get(id)?.needs ?? []) {
      if (!byId.has(n)) continue;
      const c = visit(n);
      if (c) return c;
    }
    stack.pop();
    state.set(id, 'done');
    return undefined;
  };
  for (const s of steps) {
    const c = visit(s.id);
    if (c) return c;
  }
  return undefined;
}

/**
 * Validates a plan before anything runs: step count, unique ids, known public skills, template
 * syntax and references, `needs` (completed from the templates), no cycles, and every input part
 * known in advance against the skill's input schema. Never throws; returns the issues.
 */
export function validatePlan(input: Plan, options: ValidatePlanOptions): PlanValidation {
  const issues: string[] = [];
  const steps = input.steps.map((s) => ({ ...s, input: s.input ?? {}, needs: [...(s.needs ?? [])] }));
  if (steps.length === 0 && !input.clarification?.trim()) {
    issues.push('the plan has no steps and asks no clarifying question');
  }
  if (steps.length > options.maxSteps) {
    issues.push(`the plan has ${steps.length} steps; at most ${options.maxSteps} are allowed`);
  }
  const ids = new Set<string>();
  for (const s of steps) {
    if (ids.has(s.id)) issues.push(`step id ${s.id} is used twice`);
    ids.add(s.id);
  }
  const offered = options.offered?.length ? ` Use one of: ${options.offered.join(', ')}.` : '';
  for (const s of steps) {
    const syntax = validateTemplate([s.input, s.for_each ?? '', ...(s.expect ?? [])]);
    for (const p of syntax) issues.push(`step ${s.id}: template error: ${p}`);
    const refs = templateRefs([s.input, s.for_each ?? '']);
    for (const r of refs.steps) {
      if (!ids.has(r)) issues.push(`step ${s.id} refers to unknown step ${r}`);
      else if (!s.needs.includes(r)) s.needs.push(r);
    }
    for (const root of refs.other)
      issues.push(`step ${s.id}: templates may read only steps.<id> and item, not ${root}`);
    if (refs.item && !s.for_each) issues.push(`step ${s.id} uses {{ item }} but has no for_each`);
    if (s.for_each !== undefined && templateRefs(s.for_each).steps.size === 0) {
      issues.push(
        `step ${s.id}: for_each must be a template of an earlier step's list, e.g. {{ steps.s1.output.rows }}`,
      );
    }
    for (const n of s.needs) {
      if (n === s.id) issues.push(`step ${s.id} needs itself`);
      else if (!ids.has(n)) issues.push(`step ${s.id} needs unknown step ${n}`);
    }
    const skill = options.registry.get(s.skill);
    if (!skill) {
      issues.push(`step ${s.id}: unknown skill "${s.skill}".${offered}`);
      continue;
    }
    if (skill.spec.internal) {
      issues.push(`step ${s.id}: ${s.skill} is internal (a pipeline step only).${offered}`);
      continue;
    }
    if (skill.spec.deprecated?.disabled) {
      issues.push(`step ${s.id}: ${s.skill} is disabled: ${skill.spec.deprecated.message}`);
      continue;
    }
    issues.push(...inputIssues(s, skill.inputSchema));
  }
  const cycle = cycleOf(steps);
  if (cycle) issues.push(`steps ${cycle.join(' -> ')} form a cycle`);
  return { plan: { ...input, steps }, issues };
}
