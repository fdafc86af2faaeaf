import { join } from 'node:path';
import { SkillgateError } from '../../src/core/errors.js';
import { mergeBuiltins } from '../../src/tools/builtins/builtin-registry.js';
import type { HandlerContext } from '../../src/tools/handler.js';

export const ENGINE_SKILLS_DIR = join(import.meta.dirname, '..', 'fixtures', 'engine-skills');

/** Builtins behind the engine fixture skills; `calls` counts real executions (never previews). */
export function engineFixtureBuiltins() {
  const calls: Record<string, number> = {};
  const notes: string[] = [];
  const flakyAttempts = new Map<string, number>();
  const count = (name: string) => {
    calls[name] = (calls[name] ?? 0) + 1;
  };
  const builtins = mergeBuiltins({
    'test.echo': {
      async run(ctx: HandlerContext) {
        count('echo');
        return { output: { ...ctx.input } };
      },
    },
    'test.write': {
      async run(ctx: HandlerContext) {
        count('write');
        notes.push(String(ctx.input.note));
        return { output: { written: ctx.input.note, total: notes.length } };
      },
      async preview(ctx: HandlerContext) {
        return { would_write: ctx.input.note };
      },
    },
    'test.purge': {
      async run(ctx: HandlerContext) {
        count('purge');
        const prefix = String(ctx.input.prefix);
        const gone = notes.filter((n) => n.startsWith(prefix));
        for (const g of gone) notes.splice(notes.indexOf(g), 1);
        return { output: { deleted: gone } };
      },
      async preview(ctx: HandlerContext) {
        return { would_delete: notes.filter((n) => n.startsWith(String(ctx.input.prefix))) };
      },
    },
    'test.paid': {
      async run() {
        count('paid');
        return { output: { ok: true }, costUsd: 0.1 };
      },
    },
    'test.flaky': {
      async run(ctx: HandlerContext) {
        count('flaky');
        const key = String(ctx.input.key);
        const n = (flakyAttempts.get(key) ?? 0) + 1;
        flakyAttempts.set(key, n);
        if (n < 3) throw new SkillgateError('handler.http_failed', `attempt ${n} failed`);
        return { output: { attempts: n } };
      },
    },
    'test.slow': {
      async run(ctx: HandlerContext) {
        count('slow');
        await new Promise((resolve) => {
          const t = setTimeout(resolve, 5_000);
          ctx.signal.addEventListener('abort', () => {
            clearTimeout(t);
            resolve(undefined);
          });
        });
        count('slow_finished');
        return { output: {} };
      },
      async preview() {
        return { would: 'sleep' };
      },
    },
  });
  return { builtins, calls, notes };
}
