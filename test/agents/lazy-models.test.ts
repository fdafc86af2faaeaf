import { describe, expect, it } from 'vitest';
import { createChatModel } from '../../src/agents/models/chat-models.js';
import { createEmbeddingModel } from '../../src/agents/models/embedding-models.js';
import { EmbeddingsConfigSchema } from '../../src/core/config/embeddings-config.js';
import { ModelsConfigSchema } from '../../src/core/config/models-config.js';

const secret = (n: string) => ({ OPENAI_API_KEY: 'o', ANTHROPIC_API_KEY: 'a' })[n];

describe('provider packages load on first use', () => {
  it.each([
    [{ provider: 'openai', model: 'gpt-4o-mini' }, 'openai.chat'],
    [{ provider: 'openai', model: 'gpt-4o-mini', api: 'responses' }, 'openai.responses'],
    [{ provider: 'anthropic', model: 'claude-x' }, 'anthropic.messages'],
    [
      { provider: 'openai-compatible', model: 'llama', base_url: 'http://127.0.0.1:9/v1' },
      'openai-compatible.chat',
    ],
  ])('a %o chat model names the same provider before and after its package loads', async (ref, name) => {
    const { default: model } = ModelsConfigSchema.parse({ default: ref });
    const chat = createChatModel(model!, { secret });
    expect(chat.model.provider).toBe(name);
    expect(chat.model.modelId).toBe(ref.model);
    const urls = await chat.model.supportedUrls;
    expect(typeof urls).toBe('object');
    expect(chat.model.provider).toBe(name);
  });

  it.each([
    [{ provider: 'openai', model: 'text-embedding-3-small' }, 'openai.embedding'],
    [
      { provider: 'openai-compatible', model: 'nomic', base_url: 'http://127.0.0.1:9/v1', dimensions: 64 },
      'embeddings.embedding',
    ],
  ])('a %o embedding model names the same provider before and after its package loads', async (cfg, name) => {
    const built = createEmbeddingModel(EmbeddingsConfigSchema.parse(cfg), { secret })!;
    const model = built.model as Exclude<typeof built.model, string>;
    expect(model.provider).toBe(name);
    await model.supportsParallelCalls;
    expect(model.provider).toBe(name);
    expect(typeof (await model.maxEmbeddingsPerCall)).toMatch(/number|undefined/);
  });
});
