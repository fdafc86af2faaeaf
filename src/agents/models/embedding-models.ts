import type { EmbeddingModel } from 'ai';
import type { EmbeddingsConfig } from '../../core/config/embeddings-config.js';
import { SkillgateError } from '../../core/errors.js';
import { lazyEmbeddingModel } from './lazy-model.js';

/** A provider embedding model built from the config, ready for `AiSdkEmbedder`. */
export interface ProviderEmbeddingModel {
  model: EmbeddingModel;
  /** `openai:text-embedding-3-small`, `openai-compatible:nomic-embed-text`: stored with vectors. */
  name: string;
  /** Request options (the `dimensions` to shorten to, when configured). */
  providerOptions?: Record<string, Record<string, number>>;
}

export interface EmbeddingModelOptions {
  /** Reads a secret by env name (env, then `$SKILLGATE_HOME/secrets/.env`). Default `process.env`. */
  secret?: (name: string) => string | undefined;
  /** A fetch implementation (tests, proxies). */
  fetch?: typeof fetch;
}

/**
 * Builds the AI SDK embedding model for `embeddings.provider` (`openai` or `openai-compatible`);
 * returns undefined for `hash` (the offline embedder needs no model). The only place that imports
 * embedding provider packages: settings and the key are checked here (`config.invalid`), the
 * package is imported on the model's first call.
 */
export function createEmbeddingModel(
  config: EmbeddingsConfig,
  options: EmbeddingModelOptions = {},
): ProviderEmbeddingModel | undefined {
  if (config.provider === 'hash') return undefined;
  const secret = options.secret ?? ((n: string) => process.env[n]);
  const modelId = config.model;
  if (!modelId)
    throw new SkillgateError('config.invalid', `embeddings.model is required for ${config.provider}.`);
  if (config.provider === 'openai') {
    const keyEnv = config.api_key_env ?? 'OPENAI_API_KEY';
    const apiKey = secret(keyEnv);
    if (!apiKey) {
      throw new SkillgateError('config.invalid', `embeddings: the OpenAI key is missing (set ${keyEnv}).`, {
        env: keyEnv,
      });
    }
    return {
      model: lazyEmbeddingModel('openai.embedding', modelId, async () => {
        const { createOpenAI } = await import('@ai-sdk/openai');
        const provider = createOpenAI({ apiKey, baseURL: config.base_url, fetch: options.fetch });
        return provider.embeddingModel(modelId);
      }),
      name: `openai:${modelId}`,
      providerOptions: config.dimensions ? { openai: { dimensions: config.dimensions } } : undefined,
    };
  }
  if (!config.base_url)
    throw new SkillgateError('config.invalid', 'embeddings.base_url is required for openai-compatible.');
  const apiKey = config.api_key_env ? secret(config.api_key_env) : undefined;
  const baseURL = config.base_url;
  return {
    model: lazyEmbeddingModel('embeddings.embedding', modelId, async () => {
      const { createOpenAICompatible } = await import('@ai-sdk/openai-compatible');
      const provider = createOpenAICompatible({ name: 'embeddings', baseURL, apiKey, fetch: options.fetch });
      return provider.embeddingModel(modelId);
    }),
    name: `openai-compatible:${modelId}`,
    providerOptions: config.dimensions ? { embeddings: { dimensions: config.dimensions } } : undefined,
  };
}
