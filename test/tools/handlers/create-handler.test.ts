import { describe, expect, it } from 'vitest';
import { mergeBuiltins } from '../../../src/tools/builtins/builtin-registry.js';
import type { HandlerContext } from '../../../src/tools/handler.js';
import { createHandler } from '../../../src/tools/handlers/create-handler.js';
import { SqlConnectorPools } from '../../../src/tools/handlers/sql-connectors.js';
import { makeContext, makeSkill } from './handler-test-kit.js';

const builtins = mergeBuiltins({
  'test.plain': { run: async (ctx: HandlerContext) => ({ doubled: Number(ctx.input.n) * 2 }) },
  'test.full': {
    run: async () => ({ output: { ok: true }, costUsd: 0.5, tokens: 12 }),
    preview: async (ctx: HandlerContext) => ({ would: ctx.input.n }),
  },
});
const deps = { builtins, connectors: new SqlConnectorPools() };
const input = { type: 'object', properties: { n: { type: 'number' } } };

describe('createHandler', () => {
  it('wraps a plain builtin value as the output', async () => {
    const skill = makeSkill({ input, handler: { type: 'builtin', name: 'test.plain' } });
    const handler = createHandler(skill, deps);
    expect(await handler.run(makeContext(skill, { input: { n: 21 } }))).toEqual({ output: { doubled: 42 } });
    expect(handler.preview).toBeUndefined();
  });

  it('keeps a builtin HandlerResult with cost and tokens, and its preview', async () => {
    const skill = makeSkill({ input, handler: { type: 'builtin', name: 'test.full' } });
    const handler = createHandler(skill, deps);
    expect(await handler.run(makeContext(skill))).toEqual({ output: { ok: true }, costUsd: 0.5, tokens: 12 });
    expect(await handler.preview?.(makeContext(skill, { input: { n: 3 } }))).toEqual({ would: 3 });
  });

  it('throws handler.unknown at creation for an unknown builtin name', () => {
    const skill = makeSkill({ handler: { type: 'builtin', name: 'test.missing' } });
    expect(() => createHandler(skill, deps)).toThrow(expect.objectContaining({ code: 'handler.unknown' }));
  });

  it('builds a pipeline handler with run and preview', () => {
    const skill = makeSkill({ handler: { type: 'pipeline', steps: [{ id: 'a', uses: 'test.plain' }] } });
    const handler = createHandler(skill, deps);
    expect(typeof handler.run).toBe('function');
    expect(typeof handler.preview).toBe('function');
  });
});
