import type { Config } from '../../core/config/config-schema.js';
import type { AgentRole } from '../../core/config/models-config.js';
import type { RunGenerateFn } from '../../tools/builtins/code-builtins.js';
import { callModel } from './call-model.js';
import { createRoleModels, type RoleModels } from './chat-models.js';

/** The role whose model draws code samples first; any configured role serves otherwise. */
const SAMPLING_ROLES: readonly AgentRole[] = ['executor', 'planner', 'synthesizer', 'critic'];

export interface CodeSamplerOptions {
  /** Models per role (tests); default built from `config.models` on the first sample. */
  models?: RoleModels;
  /** Waits between model retries (tests pass a no-op). */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * The `code.repeatability` model seam on the configured models: each sample is one `callModel` of
 * the executor's model (else the first configured role), with its fallback, at the requested
 * temperature, budget-checked against the sampling run's principal and ledgered (`kind = 'llm'`,
 * `run_id` = the skill run, `skill_id` = the skill). Returns undefined when no model is configured,
 * so the skill keeps asking for samples (`code.samples_required`). Provider keys are read at the
 * first sample (through the run's secret reader), so a missing key fails that run, not the app.
 */
export function createCodeSampler(
  config: Config,
  options: CodeSamplerOptions = {},
): RunGenerateFn | undefined {
  const m = config.models;
  const role = SAMPLING_ROLES.find((r) => (options.models ? options.models[r] : (m[r] ?? m.default)));
  if (!role) return undefined;
  let models = options.models;
  return async (ctx, prompt, { temperature, signal }) => {
    models ??= createRoleModels(m, { secret: (n) => ctx.secret(n) });
    const r = await callModel(
      {
        db: ctx.db,
        config: ctx.config,
        models,
        agentRunId: ctx.runId,
        principal: ctx.principal,
        signal,
        sleep: options.sleep,
        skillRun: { skillId: ctx.skill.id },
      },
      { role, prompt: { ref: `${ctx.skill.id}@${ctx.skill.spec.version}`, text: prompt }, temperature },
    );
    return r.text;
  };
}
