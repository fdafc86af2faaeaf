import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { SkillgateError } from '../../core/errors.js';
import { packageRoot } from '../../core/package-root.js';

/**
 * One agent eval scenario (`evals/agent/*.yaml`): a request, who asks, and what a correct run
 * does — which skills the final plan uses, the key inputs they get (a subset; strings match
 * case-insensitively as substrings), the outcome, and optionally words the answer or the
 * clarifying question must contain.
 */
export const AgentScenarioSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/),
  request: z.string().min(1),
  principal: z.string().default('local'),
  /** `single` (one skill) or `multi` (several steps); default from the number of expected skills. */
  kind: z.enum(['single', 'multi']).optional(),
  description: z.string().optional(),
  expect: z.object({
    skills: z.array(z.string()).default([]),
    inputs: z.record(z.string(), z.record(z.string(), z.unknown())).default({}),
    outcome: z.enum(['succeeded', 'failed', 'waiting_approval', 'needs_input', 'escalated']),
    answer_contains: z.array(z.string()).default([]),
    question_contains: z.array(z.string()).default([]),
    /** Skills whose absence makes the scenario `unavailable` (default `skills`). */
    requires: z.array(z.string()).optional(),
  }),
});
export type AgentScenario = z.infer<typeof AgentScenarioSchema>;

export function agentEvalDir(): string {
  return join(packageRoot(), 'evals', 'agent');
}

/** Reads every scenario file of a folder (sorted by name). Throws `config.invalid` naming a bad file. */
export function loadAgentScenarios(dir = agentEvalDir()): AgentScenario[] {
  const files = readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();
  const out: AgentScenario[] = [];
  const ids = new Set<string>();
  for (const f of files) {
    const parsed = AgentScenarioSchema.safeParse(parse(readFileSync(join(dir, f), 'utf8')));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new SkillgateError('config.invalid', `${f}: ${issue.path.join('.')}: ${issue.message}`, {
        file: f,
      });
    }
    if (ids.has(parsed.data.id))
      throw new SkillgateError('config.invalid', `${f}: duplicate scenario id ${parsed.data.id}`);
    ids.add(parsed.data.id);
    out.push(parsed.data);
  }
  return out;
}
