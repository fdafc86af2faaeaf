import { existsSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { SkillgateError } from '../../core/errors.js';
import type { Handler, HandlerContext } from '../handler.js';
import type { Skill } from '../skill.js';
import type { HandlerSpec } from '../skill-spec.js';
import { abortError, timeoutError, toHandlerResult } from './handler-utils.js';
import { MODULE_WORKER_SOURCE } from './module-worker-source.js';

export type ModuleHandlerSpec = Extract<HandlerSpec, { type: 'module' }>;

/** The serialisable context a module function receives as its second argument. */
export interface ModuleContext {
  skillId: string;
  runId: string;
  requestId: string;
  mode: 'execute' | 'dry_run';
  tenant: string;
  principalId: string;
}

/** Extensions a module handler may have. Node 20 cannot import TypeScript: compile it to `.js` first. */
export const MODULE_EXTENSIONS = ['.js', '.mjs', '.cjs'];

/** Environment variables a module sees (no secrets: use an http handler with `secrets` for those). */
const PASSED_ENV = ['PATH', 'HOME', 'LANG', 'TZ', 'TMPDIR'];

interface WorkerMessage {
  ok: boolean;
  value?: unknown;
  message?: string;
  missing?: boolean;
}

function moduleFailed(skill: Skill, message: string): SkillgateError {
  return new SkillgateError('handler.module_failed', `Module of ${skill.id} failed: ${message}`, {
    skill: skill.id,
  });
}

/**
 * `handler: {type: module, file, export, memory_mb}`: a JavaScript module beside the YAML file,
 * run in a fresh `worker_threads` Worker per call (so edits are picked up and state never leaks).
 *
 * - The module exports `run(input, ctx)` (or the name in `export`) and optionally
 *   `preview(input, ctx)`; `ctx` is a `ModuleContext`. Input and result cross by structured clone.
 *   The result is the output, or `{output, costUsd?, tokens?}`.
 * - Limits: old-generation heap `memory_mb` (exceeding it -> `handler.module_failed` saying so),
 *   the skill's `timeout_ms` (-> `skill.timeout`), `ctx.signal` (-> its reason or `skill.aborted`);
 *   in each case the worker is terminated, even inside an endless loop.
 * - A throw -> `handler.module_failed` with the thrown message.
 * - The worker's stdout/stderr go to `ctx.log` (never to the process stdout, which may carry
 *   MCP stdio); it sees only PATH, HOME, LANG, TZ and TMPDIR of the environment.
 * - Without a `preview` export, a dry run of a `read` skill calls `run` (harmless by definition);
 *   other skills get `{module, function, input, preview_available: false}`.
 *
 * Load-time checks (`skill.invalid`): the file exists and ends in `.js`, `.mjs` or `.cjs`.
 */
export function createModuleHandler(skill: Skill, spec: ModuleHandlerSpec): Handler {
  const file = resolve(dirname(skill.file), spec.file);
  if (!MODULE_EXTENSIONS.includes(extname(file))) {
    throw new SkillgateError(
      'skill.invalid',
      `Skill ${skill.id}: module handler file ${spec.file} must be JavaScript (${MODULE_EXTENSIONS.join(', ')}); compile TypeScript modules to .js first.`,
      { skill: skill.id },
    );
  }
  if (!existsSync(file)) {
    throw new SkillgateError(
      'skill.invalid',
      `Skill ${skill.id}: module handler file ${file} does not exist.`,
      {
        skill: skill.id,
      },
    );
  }
  const url = pathToFileURL(file).href;

  const run = async (ctx: HandlerContext) => {
    const msg = await runInWorker(skill, spec, url, spec.export, ctx);
    if (!msg.ok) throw moduleFailed(skill, msg.message ?? 'unknown error');
    return toHandlerResult(msg.value);
  };

  return {
    run,
    async preview(ctx) {
      const msg = await runInWorker(skill, spec, url, 'preview', ctx);
      if (msg.ok) return msg.value;
      if (!msg.missing) throw moduleFailed(skill, msg.message ?? 'unknown error');
      if (skill.spec.effects === 'read') return (await run(ctx)).output;
      return { module: spec.file, function: spec.export, input: ctx.input, preview_available: false };
    },
  };
}

function moduleContext(ctx: HandlerContext): ModuleContext {
  return {
    skillId: ctx.skill.id,
    runId: ctx.runId,
    requestId: ctx.requestId,
    mode: ctx.mode,
    tenant: ctx.tenant,
    principalId: ctx.principal.id,
  };
}

function runInWorker(
  skill: Skill,
  spec: ModuleHandlerSpec,
  url: string,
  fn: string,
  ctx: HandlerContext,
): Promise<WorkerMessage> {
  if (ctx.signal.aborted) return Promise.reject(abortError(ctx.signal, skill.id));
  const env: Record<string, string> = {};
  for (const name of PASSED_ENV) if (process.env[name] !== undefined) env[name] = process.env[name] as string;
  return new Promise<WorkerMessage>((resolvePromise, reject) => {
    let worker: Worker;
    try {
      worker = new Worker(MODULE_WORKER_SOURCE, {
        eval: true,
        workerData: { url, fn, input: ctx.input, ctx: moduleContext(ctx) },
        resourceLimits: { maxOldGenerationSizeMb: spec.memory_mb },
        env,
        execArgv: [],
        stdout: true,
        stderr: true,
      });
    } catch (err) {
      reject(moduleFailed(skill, `cannot start a worker: ${(err as Error).message}`));
      return;
    }
    let settled = false;
    const finish = (err: unknown, msg?: WorkerMessage) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      ctx.signal.removeEventListener('abort', onAbort);
      void worker.terminate();
      if (err) reject(err);
      else resolvePromise(msg as WorkerMessage);
    };
    const onAbort = () => finish(abortError(ctx.signal, skill.id));
    const timeoutMs = skill.spec.timeout_ms;
    const timer = setTimeout(() => finish(timeoutError(skill.id, timeoutMs)), timeoutMs);
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    for (const stream of ['stdout', 'stderr'] as const) {
      worker[stream].setEncoding('utf8');
      worker[stream].on('data', (chunk: string) => {
        ctx.log.info({ skill: skill.id, stream }, chunk.trimEnd());
      });
    }
    worker.on('message', (msg: WorkerMessage) => finish(undefined, msg));
    worker.on('error', (err: Error & { code?: string }) => {
      if (err.code === 'ERR_WORKER_OUT_OF_MEMORY') {
        finish(
          moduleFailed(
            skill,
            `it ran out of memory (limit ${spec.memory_mb} MB; raise memory_mb in the skill)`,
          ),
        );
      } else {
        finish(moduleFailed(skill, err.message));
      }
    });
    worker.on('exit', (code) =>
      finish(moduleFailed(skill, `the worker exited with code ${code} before returning`)),
    );
  });
}
