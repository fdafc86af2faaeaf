import type { EmbeddingModel } from 'ai';
import { SkillgateError } from '../../core/errors.js';
import type { Embedder } from './embedder.js';

/** `providerOptions` as the AI SDK takes them (`{ openai: { dimensions: 256 } }`). */
export type EmbeddingProviderOptions = Record<string, Record<string, string | number | boolean | null>>;

export interface AiSdkEmbedderOptions {
  /** An AI SDK embedding model, built by `src/agents/models/embedding-models.ts` from the config. */
  model: EmbeddingModel;
  /** Stored with every vector: `<provider>:<model>` is a good name (a change triggers a reindex). */
  name: string;
  /** The vector size the model returns (checked on every call). */
  dimensions: number;
  providerOptions?: EmbeddingProviderOptions;
  /** Texts per request (default 64). */
  batchSize?: number;
  /** Retries per request (default 2; tests use 0). */
  maxRetries?: number;
  /** Cosine floor for "unrelated" with this model (default 0.3). */
  minRelevance?: number;
}

/**
 * An embedder backed by a provider model through the AI SDK's `embedMany` (OpenAI, or any
 * OpenAI-compatible server). Provider failures become `embedding.failed`. This file imports only
 * types and `embedMany` from `ai`; provider packages stay in `src/agents/models/`.
 */
export class AiSdkEmbedder implements Embedder {
  readonly name: string;
  readonly dimensions: number;
  readonly minRelevance: number;
  private readonly options: AiSdkEmbedderOptions;

  constructor(options: AiSdkEmbedderOptions) {
    this.options = options;
    this.name = options.name;
    this.dimensions = options.dimensions;
    this.minRelevance = options.minRelevance ?? 0.3;
  }

  async embed(texts: string[], signal?: AbortSignal): Promise<number[][]> {
    const { embedMany } = await import('ai');
    const batch = this.options.batchSize ?? 64;
    const out: number[][] = [];
    for (let i = 0; i < texts.length; i += batch) {
      try {
        const r = await embedMany({
          model: this.options.model,
          values: texts.slice(i, i + batch),
          maxRetries: this.options.maxRetries ?? 2,
          abortSignal: signal,
          providerOptions: this.options.providerOptions,
        });
        out.push(...r.embeddings);
      } catch (err) {
        throw new SkillgateError(
          'embedding.failed',
          `Embedding with ${this.name} failed: ${(err as Error).message}`,
          { embedder: this.name },
          { cause: err },
        );
      }
    }
    for (const v of out) {
      if (v.length !== this.dimensions) {
        throw new SkillgateError(
          'embedding.failed',
          `${this.name} returned ${v.length}-dimensional vectors; the config says ${this.dimensions}.`,
          { embedder: this.name, expected: this.dimensions, got: v.length },
        );
      }
    }
    return out;
  }
}
