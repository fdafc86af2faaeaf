import type { Config } from '../../core/config/config-schema.js';
import { SkillgateError } from '../../core/errors.js';
import type { Principal } from '../../core/principal.js';
import type { SkillRouter } from '../../core/router-port.js';
import type { Db } from '../../db/db.js';
import type { Embedder } from '../../memory/embedders/embedder.js';
import type { SkillRegistry } from '../../tools/registry.js';
import type { AgentEvent } from '../agent-types.js';
import { callModel, type ModelCallContext } from '../models/call-model.js';
import { loadEntityCatalog } from '../offline/entity-catalog.js';
import { OFFLINE_PLANNER_REF, offlinePlan } from '../offline/offline-planner.js';
import type { PromptLibrary } from '../prompts/prompt-library.js';
import { insertPlan } from '../store/trace-store.js';
import { describeSkillForPlanner, gatherPlanContext } from './plan-context.js';
import { type Plan, PlanSchema } from './plan-schema.js';
import { validatePlan } from './validate-plan.js';

export interface PlannerDeps {
  db: Db;
  config: Config;
  registry: SkillRegistry;
  router: SkillRouter;
  embedder: Embedder;
  principal: Principal;
  agentRunId: string;
  /** The planner model; offline planning without it. */
  model?: { ctx: ModelCallContext; prompts: PromptLibrary };
  onEvent?: (e: AgentEvent) => void;
  clock: () => Date;
}

export interface PlanRound {
  /** The plan version to record (1 for the first plan, +1 per revision or replan). */
  version: number;
  /** initial, revise, step_failed */
  reason: string;
  /** The critic's critique or the failed step, for the planner. */
  feedback?: string;
}

export interface PlanOutcome {
  plan: Plan;
  version: number;
  prompt: string;
  source: 'offline' | 'model';
}

/**
 * Produces a valid plan for a round: the planner model (with routed candidates, memory and past
 * runs) or the offline planner, then `validatePlan`. Every attempt is recorded as a plan version
 * with its issues; an invalid model plan goes back to the model with the issues, at most
 * `models.max_plan_attempts` times. Throws `agent.plan_invalid` when no attempt is valid.
 */
export async function makePlan(deps: PlannerDeps, request: string, round: PlanRound): Promise<PlanOutcome> {
  const max = deps.model ? deps.config.models.max_plan_attempts : 1;
  const context = deps.model
    ? await gatherPlanContext(request, { ...deps, agentRunId: deps.agentRunId })
    : undefined;
  const offered = context?.candidates.map((s) => s.id);
  let issues: string[] = [];
  for (let attempt = 1; attempt <= max; attempt++) {
    let plan: Plan;
    let prompt: string;
    if (deps.model && context) {
      const feedback = [
        round.feedback,
        issues.length ? `The previous plan was rejected:\n- ${issues.join('\n- ')}` : '',
      ]
        .filter(Boolean)
        .join('\n\n');
      const rendered = deps.model.prompts.render('planner', {
        request,
        skills: context.candidates.map(describeSkillForPlanner),
        memory: context.memory.map((m) => m.text),
        past_runs: context.pastRuns,
        feedback,
        today: deps.clock().toISOString().slice(0, 10),
      });
      const r = await callModel(deps.model.ctx, {
        role: 'planner',
        prompt: rendered,
        schema: PlanSchema,
        schemaName: 'plan',
      });
      plan = r.output!;
      prompt = rendered.ref;
    } else {
      const catalog = await loadEntityCatalog(deps.db, deps.config, deps.principal.tenant);
      plan = await offlinePlan(request, {
        router: deps.router,
        registry: deps.registry,
        principal: deps.principal,
        catalog,
        today: deps.clock(),
      });
      prompt = OFFLINE_PLANNER_REF;
    }
    const v = validatePlan(plan, {
      registry: deps.registry,
      maxSteps: deps.config.models.max_steps,
      offered,
    });
    issues = v.issues;
    const source = deps.model ? 'model' : 'offline';
    await insertPlan(deps.db, deps.agentRunId, {
      version: round.version,
      attempt,
      source,
      prompt,
      plan: v.plan,
      valid: issues.length === 0,
      issues,
      reason: round.reason,
    });
    deps.onEvent?.({
      type: issues.length ? 'plan_rejected' : 'plan_created',
      agentRunId: deps.agentRunId,
      ts: deps.clock(),
      data: {
        version: round.version,
        attempt,
        prompt,
        steps: v.plan.steps.map((s) => `${s.id}:${s.skill}`),
        issues,
        clarification: v.plan.clarification ?? null,
      },
    });
    if (issues.length === 0) return { plan: v.plan, version: round.version, prompt, source };
  }
  throw new SkillgateError(
    'agent.plan_invalid',
    `No valid plan after ${max} attempt${max > 1 ? 's' : ''}: ${issues.slice(0, 3).join('; ')}.`,
    { attempts: max },
  );
}
