import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createHandler } from '../../../src/tools/handlers/create-handler.js';
import { SqlConnectorPools } from '../../../src/tools/handlers/sql-connectors.js';
import { caught, makeContext, makeSkill } from './handler-test-kit.js';

const deps = { builtins: new Map(), connectors: new SqlConnectorPools() };

function moduleSkill(
  file: string,
  extra: Record<string, unknown> = {},
  handler: Record<string, unknown> = {},
) {
  return makeSkill({
    input: {
      type: 'object',
      properties: { name: { type: 'string' }, a: { type: 'number' }, b: { type: 'number' } },
    },
    ...extra,
    handler: { type: 'module', file, ...handler },
  });
}

describe('module handler', () => {
  it('runs the module in a worker with the cloned input and a small context', async () => {
    const skill = moduleSkill('greet.mjs');
    const logged: string[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => logged.push(line) });
    const result = await createHandler(skill, deps).run(makeContext(skill, { input: { name: 'Ada' }, log }));
    expect(result.output).toEqual({
      greeting: 'Hello, Ada!',
      ctx: {
        skillId: 'test.skill',
        runId: 'run_test',
        requestId: 'req_test',
        mode: 'execute',
        tenant: 'acme',
        principalId: 'alice',
      },
    });
    // The module's console output goes to the logger, not to the process stdout.
    expect(logged.join('')).toContain('greeting Ada');
  });

  it('calls the preview export for a dry run', async () => {
    const skill = moduleSkill('greet.mjs');
    const preview = await createHandler(skill, deps).preview?.(
      makeContext(skill, { input: { name: 'Bo' }, mode: 'dry_run' }),
    );
    expect(preview).toEqual({ would_greet: 'Bo' });
  });

  it('uses the configured export and keeps cost and tokens of a full result', async () => {
    const skill = moduleSkill('with-result.mjs', {}, { export: 'compute' });
    const result = await createHandler(skill, deps).run(makeContext(skill, { input: { a: 2, b: 3 } }));
    expect(result).toEqual({ output: { sum: 5 }, costUsd: 0.25, tokens: 7 });
  });

  it('turns a throw into handler.module_failed with the message', async () => {
    const skill = moduleSkill('throws.mjs', {
      input: { type: 'object', properties: { what: { type: 'string' } } },
    });
    const err = await caught(() =>
      createHandler(skill, deps).run(makeContext(skill, { input: { what: 'pears' } })),
    );
    expect(err.code).toBe('handler.module_failed');
    expect(err.message).toContain('cannot process pears');
  });

  it('terminates an endless loop at the skill timeout with skill.timeout', async () => {
    const skill = moduleSkill('spin.mjs', { timeout_ms: 300 });
    const t0 = Date.now();
    const err = await caught(() => createHandler(skill, deps).run(makeContext(skill)));
    expect(err.code).toBe('skill.timeout');
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  it('reports a module that runs out of its memory limit as handler.module_failed', async () => {
    const skill = moduleSkill('hog.mjs', {}, { memory_mb: 32 });
    const err = await caught(() => createHandler(skill, deps).run(makeContext(skill)));
    expect(err.code).toBe('handler.module_failed');
    expect(err.message).toMatch(/out of memory \(limit 32 MB/);
  });

  it('terminates the worker when the run is aborted', async () => {
    const skill = moduleSkill('spin.mjs', { timeout_ms: 20_000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 150);
    const t0 = Date.now();
    const err = await caught(() =>
      createHandler(skill, deps).run(makeContext(skill, { signal: controller.signal })),
    );
    expect(err.code).toBe('skill.aborted');
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  it('gives the module no secrets from the environment', async () => {
    process.env.SKILLGATE_TEST_MODULE_SECRET = 'hunter2';
    try {
      const skill = moduleSkill('env.mjs');
      const result = await createHandler(skill, deps).run(makeContext(skill));
      const keys = (result.output as { keys: string[] }).keys;
      expect(keys).not.toContain('SKILLGATE_TEST_MODULE_SECRET');
      expect(keys.every((k) => ['PATH', 'HOME', 'LANG', 'TZ', 'TMPDIR'].includes(k))).toBe(true);
    } finally {
      delete process.env.SKILLGATE_TEST_MODULE_SECRET;
    }
  });

  it('reports a result that cannot be cloned', async () => {
    const skill = moduleSkill('unclonable.mjs');
    const err = await caught(() => createHandler(skill, deps).run(makeContext(skill)));
    expect(err.code).toBe('handler.module_failed');
    expect(err.message).toContain('cannot be cloned');
  });

  it('runs a fresh worker per call, so module state never leaks between runs', async () => {
    const skill = moduleSkill('no-preview.mjs');
    const handler = createHandler(skill, deps);
    const first = await handler.run(makeContext(skill, { input: { name: 'x' } }));
    const second = await handler.run(makeContext(skill, { input: { name: 'x' } }));
    expect(first.output).toEqual({ echoed: { name: 'x' }, calls: 1 });
    expect(second.output).toEqual({ echoed: { name: 'x' }, calls: 1 });
  });

  it('previews a read skill without a preview export by running it, and describes a write skill', async () => {
    const read = moduleSkill('no-preview.mjs');
    expect(await createHandler(read, deps).preview?.(makeContext(read, { input: { name: 'r' } }))).toEqual({
      echoed: { name: 'r' },
      calls: 1,
    });
    const write = moduleSkill('no-preview.mjs', { effects: 'write' });
    expect(await createHandler(write, deps).preview?.(makeContext(write, { input: { name: 'w' } }))).toEqual({
      module: 'no-preview.mjs',
      function: 'run',
      input: { name: 'w' },
      preview_available: false,
    });
  });

  it('rejects a TypeScript or missing module file at creation', () => {
    expect(() => createHandler(moduleSkill('typed.ts'), deps)).toThrow(/compile TypeScript modules to \.js/);
    expect(() => createHandler(moduleSkill('missing.mjs'), deps)).toThrow(/does not exist/);
  });
});
