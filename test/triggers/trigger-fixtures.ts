import { join, resolve } from 'node:path';
import type { SkillgateApp } from '../../src/core/app.js';
import { SkillgateError } from '../../src/core/errors.js';
import type { Principal } from '../../src/core/principal.js';
import type { Db } from '../../src/db/db.js';
import { mergeBuiltins } from '../../src/tools/builtins/builtin-registry.js';
import { schedulesBuiltins } from '../../src/tools/builtins/schedules-builtins.js';
import type { HandlerContext } from '../../src/tools/handler.js';
import { createTestApp } from '../helpers/test-app.js';

export const TRIGGER_SKILLS = join(import.meta.dirname, 'fixtures', 'skills');
export const SHIPPED_SCHEDULES = resolve(import.meta.dirname, '../../skills/schedules');

/** Fast timings for tests: quick polls and heartbeats, crash detection after 1 s. */
export const FAST_JOBS = {
  poll_interval: 100,
  heartbeat_interval: 200,
  stale_after: 1000,
  retry_delay: 1000,
  shutdown_timeout: 2000,
};

/** Builtins behind the fixture skills; `calls` counts real executions. */
export function triggerBuiltins() {
  const calls: Record<string, number> = {};
  const flaky = new Map<string, number>();
  const releases = new Map<string, () => void>();
  let active = 0;
  let maxActive = 0;
  const count = (name: string) => {
    calls[name] = (calls[name] ?? 0) + 1;
  };
  const builtins = mergeBuiltins(schedulesBuiltins, {
    'jobs.echo': {
      async run(ctx: HandlerContext) {
        count('echo');
        return { output: { ...ctx.input, principal: ctx.principal.id } };
      },
    },
    'jobs.flaky': {
      async run(ctx: HandlerContext) {
        count('flaky');
        const key = String(ctx.input.key);
        const n = (flaky.get(key) ?? 0) + 1;
        flaky.set(key, n);
        if (n < 3) throw new SkillgateError('handler.http_failed', `attempt ${n} failed`);
        return { output: { attempts: n } };
      },
    },
    'jobs.purge': {
      async run(ctx: HandlerContext) {
        count('purge');
        return { output: { purged: ctx.input.prefix } };
      },
      async preview(ctx: HandlerContext) {
        return { would_purge: ctx.input.prefix };
      },
    },
    'jobs.broken': {
      async run() {
        count('broken');
        throw new SkillgateError('handler.http_failed', 'the remote service is down');
      },
    },
    'jobs.block': {
      async run(ctx: HandlerContext) {
        count('block');
        active += 1;
        maxActive = Math.max(maxActive, active);
        try {
          await new Promise<void>((res, rej) => {
            releases.set(String(ctx.input.key ?? ''), res);
            ctx.signal.addEventListener('abort', () => rej(ctx.signal.reason), { once: true });
          });
        } finally {
          active -= 1;
        }
        return { output: { released: ctx.input.key } };
      },
    },
  });
  return {
    builtins,
    calls,
    /** Lets the blocked run with this key finish. */
    release(key: string) {
      releases.get(key)?.();
      releases.delete(key);
    },
    releaseAll() {
      for (const r of releases.values()) r();
      releases.clear();
    },
    get active() {
      return active;
    },
    get maxActive() {
      return maxActive;
    },
  };
}

export type TriggerFixtures = ReturnType<typeof triggerBuiltins>;

/** An app with the trigger fixture skills, `schedules.create` and fast job timings. */
export async function createTriggerApp(
  config: Record<string, unknown> = {},
  db?: Db,
): Promise<{ app: SkillgateApp & { as(id: string): Principal }; fx: TriggerFixtures }> {
  const fx = triggerBuiltins();
  const { jobs, ...rest } = config as { jobs?: Record<string, unknown> };
  const app = await createTestApp({
    skillDirs: [TRIGGER_SKILLS, SHIPPED_SCHEDULES],
    builtins: fx.builtins,
    db,
    config: { jobs: { ...FAST_JOBS, ...(jobs ?? {}) }, ...rest },
  });
  return { app, fx };
}

/** Polls `fn` until it returns a truthy value (or throws after `timeoutMs`). */
export async function waitFor<T>(fn: () => Promise<T>, timeoutMs = 15_000, what = 'condition'): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
