import type { Tool, ToolSet } from 'ai';
import type { z } from 'zod';
import type { AgentStepRecord } from '../agent-types.js';
import { callModel } from '../models/call-model.js';
import type { PlanStep } from '../plan/plan-schema.js';
import { truncateJson } from '../truncate-json.js';
import { type ExecuteContext, runInstance } from './run-instance.js';

/** The tool name of a skill (`crm.find_customer` -> `crm_find_customer`). */
export function toolNameOf(skillId: string): string {
  return skillId.replace(/[^a-zA-Z0-9_-]/g, '_');
}

/**
 * Runs a step whose input must be derived from earlier outputs: the executor model gets the step,
 * the outputs of its `needs` and the skill as a tool, and calls the tool once or several times;
 * each call is one engine run (every gate applies), recorded as `<step>#<n>`. The tool validates
 * the input with the skill's schema, so an invalid call comes back to the model as an error it can
 * correct. Returns the executions (empty when the model called nothing).
 */
export async function deriveStep(
  ctx: ExecuteContext,
  step: PlanStep,
  knownInput: Record<string, unknown>,
  needed: Record<string, unknown>,
  previous: AgentStepRecord[],
): Promise<AgentStepRecord[]> {
  const model = ctx.model!;
  const skill = ctx.registry.get(step.skill)!;
  const prompt = model.prompts.render('executor', {
    request: ctx.request,
    step: {
      id: step.id,
      skill: skill.id,
      title: skill.spec.title,
      known_input: knownInput,
      derive: step.derive,
    },
    context: truncateJson(needed, 6000),
  });
  const instances: AgentStepRecord[] = [];
  const effects = { happened: false };
  let n = 0;
  const tools: ToolSet = {
    // A plain tool object (what `tool()` returns), so that `ai` is only loaded when a model is called.
    [toolNameOf(skill.id)]: {
      description: `${skill.spec.title}. ${skill.spec.description}`.slice(0, 1000),
      inputSchema: skill.inputSchema as z.ZodType<Record<string, unknown>>,
      execute: async (input: Record<string, unknown>) => {
        const index = n++;
        const rec = await runInstance(ctx, {
          step,
          key: `${step.id}#${index}`,
          itemIndex: index,
          input: { ...knownInput, ...input },
          prompt: prompt.ref,
          previous,
        });
        instances.push(rec);
        if (rec.status !== 'failed' || rec.attempts > 0) effects.happened = true;
        return {
          status: rec.status,
          output: rec.output === undefined ? undefined : truncateJson(rec.output, 2000),
          error: rec.error ? `${rec.error.code}: ${rec.error.message}` : undefined,
          approval: rec.approvalId ?? undefined,
        };
      },
    } satisfies Tool<Record<string, unknown>>,
  };
  await callModel(model.ctx, {
    role: 'executor',
    prompt,
    tools,
    maxToolRounds: Math.min(ctx.config.models.max_fanout, 10) + 1,
    effects,
  });
  return instances;
}
