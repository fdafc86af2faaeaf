import type { EmbeddingModelV3, LanguageModelV3 } from '@ai-sdk/provider';

/**
 * Memoises an async loader: the first call starts it, later calls share the result. A failed load
 * is forgotten, so the next call retries it.
 */
function once<T>(load: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= load().catch((err: unknown) => {
      pending = undefined;
      throw err;
    });
    return pending;
  };
}

/**
 * A language model whose provider package is imported on the first call (`doGenerate`,
 * `doStream`, `supportedUrls`), so an idle process never loads it. `provider` is the name the real
 * model reports (given up front, since `wrapLanguageModel` reads it before any call); once loaded,
 * the real model's own value is returned.
 */
export function lazyLanguageModel(
  provider: string,
  modelId: string,
  load: () => Promise<LanguageModelV3>,
): LanguageModelV3 {
  let loaded: LanguageModelV3 | undefined;
  const get = once(async () => {
    loaded = await load();
    return loaded;
  });
  return {
    specificationVersion: 'v3',
    get provider() {
      return loaded?.provider ?? provider;
    },
    modelId,
    get supportedUrls() {
      return loaded ? loaded.supportedUrls : get().then((m) => m.supportedUrls);
    },
    doGenerate: async (options) => (await get()).doGenerate(options),
    doStream: async (options) => (await get()).doStream(options),
  };
}

/**
 * An embedding model whose provider package is imported on the first call (`doEmbed`,
 * `maxEmbeddingsPerCall`, `supportsParallelCalls`). `provider` as in `lazyLanguageModel`.
 */
export function lazyEmbeddingModel(
  provider: string,
  modelId: string,
  load: () => Promise<EmbeddingModelV3>,
): EmbeddingModelV3 {
  let loaded: EmbeddingModelV3 | undefined;
  const get = once(async () => {
    loaded = await load();
    return loaded;
  });
  return {
    specificationVersion: 'v3',
    get provider() {
      return loaded?.provider ?? provider;
    },
    modelId,
    get maxEmbeddingsPerCall() {
      return loaded ? loaded.maxEmbeddingsPerCall : get().then((m) => m.maxEmbeddingsPerCall);
    },
    get supportsParallelCalls() {
      return loaded ? loaded.supportsParallelCalls : get().then((m) => m.supportsParallelCalls);
    },
    doEmbed: async (options) => (await get()).doEmbed(options),
  };
}
