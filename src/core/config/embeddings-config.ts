import { z } from 'zod';

/**
 * Which embedder turns text into vectors (memories, library chunks, skill routing).
 *
 * - `hash` (default): the offline, deterministic feature-hashing embedder; no model, no keys.
 * - `openai`: OpenAI's embeddings API (`model` e.g. `text-embedding-3-small`; key from `api_key_env`,
 *   default `OPENAI_API_KEY`; `base_url` optional).
 * - `openai-compatible`: any server speaking `/v1/embeddings` (Ollama, vLLM, LM Studio): `base_url`
 *   is required, the key optional.
 *
 * `dimensions`: the vector size. For `hash` it is the hashing space (default 384); for providers it is
 * requested from the model when given (models that support shortening), otherwise learnt from the
 * first answer. Changing any of this is detected at start; `skillgate reindex` re-embeds everything.
 */
export const EmbeddingsConfigSchema = z
  .object({
    provider: z.enum(['hash', 'openai', 'openai-compatible']).default('hash'),
    model: z.string().min(1).optional(),
    base_url: z.string().url().optional(),
    /** Env var (or `$SKILLGATE_HOME/secrets/.env` entry) holding the API key — never the key itself. */
    api_key_env: z.string().min(1).optional(),
    dimensions: z.number().int().min(8).max(4000).optional(),
    /** Texts per provider request (default 64). */
    batch_size: z.number().int().min(1).max(2048).default(64),
  })
  .superRefine((cfg, ctx) => {
    if (cfg.provider !== 'hash' && !cfg.model) {
      ctx.addIssue({
        code: 'custom',
        path: ['model'],
        message: `embeddings.model is required for ${cfg.provider}`,
      });
    }
    if (cfg.provider === 'openai-compatible' && !cfg.base_url) {
      ctx.addIssue({
        code: 'custom',
        path: ['base_url'],
        message: 'embeddings.base_url is required for openai-compatible',
      });
    }
  })
  .default({ provider: 'hash', batch_size: 64 });
export type EmbeddingsConfig = z.infer<typeof EmbeddingsConfigSchema>;
