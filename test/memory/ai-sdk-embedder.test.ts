import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmbeddingModel } from '../../src/agents/models/embedding-models.js';
import { EmbeddingsConfigSchema } from '../../src/core/config/embeddings-config.js';
import { createEmbedder } from '../../src/memory/embedders/create-embedder.js';
import { embedTexts } from '../../src/memory/embedders/embedder.js';
import { HashEmbedder } from '../../src/memory/embedders/hash-embedder.js';

interface Seen {
  path: string;
  auth?: string;
  body: { model: string; input: string[]; dimensions?: number };
}

/** A fake OpenAI-compatible server: `/v1/embeddings` answers with hash-embedder vectors (or fails on demand). */
function fakeServer(seen: Seen[], state: { fail: boolean; dims: number }): Server {
  const hash = new HashEmbedder({ dimensions: 16 });
  return createServer(async (req: IncomingMessage, res) => {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    const body = JSON.parse(raw || '{}');
    seen.push({ path: req.url ?? '', auth: req.headers.authorization, body });
    if (req.url !== '/v1/embeddings') {
      res.writeHead(404).end();
      return;
    }
    if (state.fail) {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: 'model is loading', type: 'server_error' } }));
      return;
    }
    const vectors = await hash.embed(body.input);
    const data = vectors.map((v, index) => ({
      object: 'embedding',
      index,
      embedding: Array.from(v).slice(0, state.dims),
    }));
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        object: 'list',
        data,
        model: body.model,
        usage: { prompt_tokens: 3, total_tokens: 3 },
      }),
    );
  });
}

describe('provider embedders through the AI SDK', () => {
  const seen: Seen[] = [];
  const state = { fail: false, dims: 16 };
  let server: Server;
  let baseURL: string;

  beforeAll(async () => {
    server = fakeServer(seen, state);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as { port: number };
    baseURL = `http://127.0.0.1:${port}/v1`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('embeds through an OpenAI-compatible server, learning the size with one probe', async () => {
    const config = EmbeddingsConfigSchema.parse({
      provider: 'openai-compatible',
      model: 'nomic-embed-text',
      base_url: baseURL,
      batch_size: 2,
    });
    const embedder = await createEmbedder(config, createEmbeddingModel(config), { maxRetries: 0 });
    expect(embedder.name).toBe('openai-compatible:nomic-embed-text');
    expect(embedder.dimensions).toBe(16);
    seen.length = 0;
    const vectors = await embedTexts(embedder, [
      'restart billing',
      'please restart the billing service',
      'cats',
    ]);
    expect(vectors).toHaveLength(3);
    expect(vectors[0]).toHaveLength(16);
    // batch_size 2: two requests, in order, with the configured model.
    expect(seen.map((s) => s.body.input)).toEqual([
      ['restart billing', 'please restart the billing service'],
      ['cats'],
    ]);
    expect(seen.every((s) => s.body.model === 'nomic-embed-text')).toBe(true);
    const local = await new HashEmbedder({ dimensions: 16 }).embed(['cats']);
    expect(Array.from(vectors[2])).toEqual(Array.from(local[0]).map((x) => Math.fround(x)));
  });

  it('sends the OpenAI key from the configured env var and the requested dimensions', async () => {
    const config = EmbeddingsConfigSchema.parse({
      provider: 'openai',
      model: 'text-embedding-3-small',
      base_url: baseURL,
      api_key_env: 'TEST_OPENAI_KEY',
      dimensions: 16,
    });
    const model = createEmbeddingModel(config, {
      secret: (n) => (n === 'TEST_OPENAI_KEY' ? 'sk-test-123' : undefined),
    });
    const embedder = await createEmbedder(config, model, { maxRetries: 0 });
    seen.length = 0;
    await embedder.embed(['hello']);
    expect(seen[0]).toMatchObject({ path: '/v1/embeddings', auth: 'Bearer sk-test-123' });
    expect(seen[0].body.dimensions).toBe(16);
    expect(() => createEmbeddingModel(config, { secret: () => undefined })).toThrow(/TEST_OPENAI_KEY/);
  });

  it('reports provider failures and wrong vector sizes as embedding.failed', async () => {
    const config = EmbeddingsConfigSchema.parse({
      provider: 'openai-compatible',
      model: 'm',
      base_url: baseURL,
      dimensions: 16,
    });
    const embedder = await createEmbedder(config, createEmbeddingModel(config), { maxRetries: 0 });
    state.fail = true;
    await expect(embedder.embed(['x'])).rejects.toMatchObject({
      code: 'embedding.failed',
      message: /model is loading/,
    });
    state.fail = false;
    state.dims = 8;
    await expect(embedder.embed(['x'])).rejects.toMatchObject({
      code: 'embedding.failed',
      message: /8-dimensional/,
    });
    state.dims = 16;
  });

  it('defaults to the offline hash embedder and validates provider settings', async () => {
    const hash = await createEmbedder(EmbeddingsConfigSchema.parse(undefined));
    expect(hash).toBeInstanceOf(HashEmbedder);
    expect(hash.dimensions).toBe(384);
    expect(createEmbeddingModel(EmbeddingsConfigSchema.parse({}))).toBeUndefined();
    expect(EmbeddingsConfigSchema.safeParse({ provider: 'openai-compatible', model: 'm' }).success).toBe(
      false,
    );
    expect(EmbeddingsConfigSchema.safeParse({ provider: 'openai' }).success).toBe(false);
  });
});
