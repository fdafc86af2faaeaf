import type { EmbeddingsConfig } from '../../core/config/embeddings-config.js';
import { SkillgateError } from '../../core/errors.js';
import { AiSdkEmbedder, type AiSdkEmbedderOptions } from './ai-sdk-embedder.js';
import type { Embedder } from './embedder.js';
import { HashEmbedder } from './hash-embedder.js';

/** What `createEmbeddingModel` (src/agents/models/embedding-models.ts) returns for a provider. */
export interface ProvidedEmbeddingModel {
  model: AiSdkEmbedderOptions['model'];
  name: string;
  providerOptions?: AiSdkEmbedderOptions['providerOptions'];
}

export interface CreateEmbedderOptions {
  /** Retries per provider request (default 2). */
  maxRetries?: number;
}

/**
 * The embedder the config asks for. `hash`: a `HashEmbedder` of `dimensions` (default 384).
 * Providers: an `AiSdkEmbedder` over `provided` (build it with `createEmbeddingModel(config)`); when
 * `dimensions` is not configured, one probe request learns the model's vector size.
 *
 * Wiring: `createEmbedder(config.embeddings, createEmbeddingModel(config.embeddings, { secret }))`.
 */
export async function createEmbedder(
  config: EmbeddingsConfig,
  provided?: ProvidedEmbeddingModel,
  options: CreateEmbedderOptions = {},
): Promise<Embedder> {
  if (config.provider === 'hash') return new HashEmbedder({ dimensions: config.dimensions ?? 384 });
  if (!provided) {
    throw new SkillgateError(
      'config.invalid',
      `embeddings.provider is ${config.provider} but no embedding model was built.`,
    );
  }
  const base = {
    model: provided.model,
    name: provided.name,
    providerOptions: provided.providerOptions,
    batchSize: config.batch_size,
    maxRetries: options.maxRetries,
  };
  let dimensions = config.dimensions;
  if (dimensions === undefined) {
    const probe = new AiSdkEmbedder({ ...base, dimensions: 0 });
    const { embedMany } = await import('ai');
    try {
      const r = await embedMany({
        model: provided.model,
        values: ['dimension probe'],
        maxRetries: options.maxRetries ?? 2,
        providerOptions: provided.providerOptions,
      });
      dimensions = r.embeddings[0]?.length ?? 0;
    } catch (err) {
      throw new SkillgateError(
        'embedding.failed',
        `Cannot reach ${probe.name}: ${(err as Error).message}`,
        {},
        { cause: err },
      );
    }
    if (!dimensions) throw new SkillgateError('embedding.failed', `${probe.name} returned an empty vector.`);
  }
  return new AiSdkEmbedder({ ...base, dimensions });
}
