import { z } from 'zod';
import { DurationSchema } from '../duration.js';

/**
 * One chat model: which provider serves it and how to reach it.
 *
 * - `openai`: OpenAI (or an OpenAI-protocol proxy via `base_url`); key from `api_key_env`
 *   (default `OPENAI_API_KEY`). `api: chat` (default) uses chat completions, `responses` the
 *   Responses API.
 * - `anthropic`: Anthropic; key from `api_key_env` (default `ANTHROPIC_API_KEY`).
 * - `openai-compatible`: any server speaking `/v1/chat/completions` (Ollama, vLLM, LM Studio):
 *   `base_url` is required, the key optional.
 */
export const ModelRefSchema = z
  .object({
    provider: z.enum(['openai', 'anthropic', 'openai-compatible']),
    model: z.string().min(1),
    base_url: z.string().url().optional(),
    /** Env var (or `$SKILLGATE_HOME/secrets/.env` entry) holding the key — never the key itself. */
    api_key_env: z.string().min(1).optional(),
    api: z.enum(['chat', 'responses']).default('chat'),
    /** The server supports JSON-schema structured outputs (openai-compatible; default true). */
    structured_outputs: z.boolean().default(true),
  })
  .superRefine((m, ctx) => {
    if (m.provider === 'openai-compatible' && !m.base_url) {
      ctx.addIssue({
        code: 'custom',
        path: ['base_url'],
        message: 'base_url is required for openai-compatible',
      });
    }
  });
export type ModelRef = z.infer<typeof ModelRefSchema>;

/** USD per one million input and output tokens. */
export const ModelPriceSchema = z.object({
  input_per_1m: z.number().nonnegative(),
  output_per_1m: z.number().nonnegative(),
});
export type ModelPrice = z.infer<typeof ModelPriceSchema>;

export const AGENT_ROLES = ['planner', 'executor', 'critic', 'synthesizer'] as const;
export type AgentRole = (typeof AGENT_ROLES)[number];

/**
 * The agent loop's models and limits (`models:` in the config). With no model at all (the
 * default) the loop runs offline: deterministic planner, schema-checking critic, template answers.
 *
 * - `default`: the model of every role not set explicitly; `planner`, `executor`, `critic`,
 *   `synthesizer`: per-role models.
 * - `fallback`: a cheaper model used when a role's model fails (after `max_retries` retries of
 *   timeouts, 429 and 5xx) or when the budget cannot cover the role's model.
 * - `prices`: per model id (`gpt-4o-mini`), USD per 1M input/output tokens; unlisted models cost 0.
 * - `timeout`: per model call (default 60 s); `retry_delay_ms`: first backoff (doubles, default 500).
 * - `max_output_tokens`: asked of the model and used to estimate the budget reservation (default 2048).
 * - `max_plan_attempts`: plans tried per round when validation rejects them (default 3);
 *   `max_critic_rounds`: critic `revise` rounds (default 2); `max_steps`: steps per plan (default 8);
 *   `max_fanout`: runs of one `for_each` step (default 20); `concurrency`: steps in parallel (default 4).
 * - `max_usd_per_run`: a cap on one agent run's model spend, on top of the budget caps.
 */
export const ModelsConfigSchema = z
  .object({
    default: ModelRefSchema.optional(),
    planner: ModelRefSchema.optional(),
    executor: ModelRefSchema.optional(),
    critic: ModelRefSchema.optional(),
    synthesizer: ModelRefSchema.optional(),
    fallback: ModelRefSchema.optional(),
    prices: z.record(z.string(), ModelPriceSchema).default({}),
    timeout: DurationSchema.default(60_000),
    max_retries: z.number().int().min(0).max(10).default(2),
    retry_delay_ms: z.number().int().min(0).max(60_000).default(500),
    max_output_tokens: z.number().int().min(16).max(200_000).default(2048),
    max_plan_attempts: z.number().int().min(1).max(10).default(3),
    max_critic_rounds: z.number().int().min(0).max(10).default(2),
    max_steps: z.number().int().min(1).max(50).default(8),
    max_fanout: z.number().int().min(1).max(500).default(20),
    concurrency: z.number().int().min(1).max(32).default(4),
    max_usd_per_run: z.number().nonnegative().optional(),
  })
  .default({
    prices: {},
    timeout: 60_000,
    max_retries: 2,
    retry_delay_ms: 500,
    max_output_tokens: 2048,
    max_plan_attempts: 3,
    max_critic_rounds: 2,
    max_steps: 8,
    max_fanout: 20,
    concurrency: 4,
  });
export type ModelsConfig = z.infer<typeof ModelsConfigSchema>;
