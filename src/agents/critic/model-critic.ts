import type { StepView } from '../execute/execute-plan.js';
import { callModel, type ModelCallContext } from '../models/call-model.js';
import { type CriticVerdict, CriticVerdictSchema } from '../plan/plan-schema.js';
import type { PromptLibrary } from '../prompts/prompt-library.js';
import { truncateJson } from '../truncate-json.js';
import type { ResultCheck } from './check-results.js';

export interface ModelCritiqueRequest {
  request: string;
  goal: string;
  views: StepView[];
  checks: ResultCheck[];
  round: number;
  maxRounds: number;
}

/** The critic's view of the results: each step's input, status, output and the deterministic checks. */
export function resultsForPrompt(views: StepView[], checks: ResultCheck[], perStep = 2500): string {
  return views
    .map((v) => {
      const input = v.instances[0]?.input ?? v.step.input;
      const lines = [
        `## ${v.step.id}: ${v.step.skill} — ${v.status}${v.instances.length > 1 ? ` (${v.instances.length} runs)` : ''}`,
        `input: ${truncateJson(input, 600)}`,
        v.error ? `error: ${v.error.code}: ${v.error.message}` : `output: ${truncateJson(v.output, perStep)}`,
        ...checks
          .filter((c) => c.step === v.step.id)
          .map((c) => `check: ${c.ok ? 'ok' : 'FAILED'} — ${c.what}`),
      ];
      return lines.join('\n');
    })
    .join('\n\n');
}

/** Asks the critic model for a verdict (structured output). Returns it with the prompt version used. */
export async function modelCritique(
  ctx: ModelCallContext,
  prompts: PromptLibrary,
  req: ModelCritiqueRequest,
): Promise<{ verdict: CriticVerdict; prompt: string }> {
  const prompt = prompts.render('critic', {
    request: req.request,
    goal: req.goal,
    results: resultsForPrompt(req.views, req.checks),
    round: `${req.round} of at most ${req.maxRounds + 1}`,
  });
  const r = await callModel(ctx, {
    role: 'critic',
    prompt,
    schema: CriticVerdictSchema,
    schemaName: 'critic_verdict',
  });
  return { verdict: r.output!, prompt: prompt.ref };
}
