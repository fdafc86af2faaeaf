import { z } from 'zod';

/**
 * One step of a plan: one skill run through the engine (or one per item with `for_each`).
 * `input` values may be templates over earlier outputs (`{{ steps.s1.output.headline }}`,
 * `{{ item.number }}`); every step they read must be listed in `needs` (the validator adds
 * missing ones). `derive` asks the executor model to complete the input from those outputs.
 */
export const PlanStepSchema = z.object({
  id: z
    .string()
    .regex(/^[a-z][a-z0-9_]*$/, 'step ids are lower_snake_case')
    .describe('Step id, e.g. s1'),
  skill: z.string().describe('The skill id, exactly as listed'),
  input: z.record(z.string(), z.unknown()).describe('The skill input; values may be templates'),
  needs: z.array(z.string()).default([]).describe('Ids of steps that must finish first'),
  for_each: z.string().optional().describe('Template of a list: run once per item (`item`)'),
  derive: z.string().optional().describe('What the executor must derive from the outputs of `needs`'),
  expect: z.array(z.string()).optional().describe('Conditions a correct output meets'),
});
export type PlanStep = z.infer<typeof PlanStepSchema>;

/** A plan: the goal, the steps, why; or a clarifying question instead of steps. */
export const PlanSchema = z.object({
  goal: z.string().describe('What the user wants achieved, in one sentence'),
  steps: z.array(PlanStepSchema),
  rationale: z.string().describe('Why these steps'),
  clarification: z.string().optional().describe('A question to the user when a required input is missing'),
});
export type Plan = z.infer<typeof PlanSchema>;

export const CriticVerdictSchema = z.object({
  verdict: z.enum(['approve', 'revise', 'escalate']),
  reasons: z.array(z.string()).describe('Short reasons, naming the steps'),
  summary: z.string().describe('For revise: what to change; for escalate: the situation for a human'),
});
export type CriticVerdict = z.infer<typeof CriticVerdictSchema>;

export const StatementSchema = z.object({
  text: z.string(),
  steps: z.array(z.string()).describe('Ids of the steps that support the statement'),
  citations: z.array(z.number().int()).default([]).describe('Numbers of the library passages it relies on'),
});
export type Statement = z.infer<typeof StatementSchema>;

export const SynthesisSchema = z.object({ statements: z.array(StatementSchema) });
export type Synthesis = z.infer<typeof SynthesisSchema>;
