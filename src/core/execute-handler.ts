import type { Handler, HandlerContext, HandlerResult } from '../tools/handler.js';
import { SkillgateError, toSkillgateError } from './errors.js';

export interface ExecuteOptions {
  timeoutMs: number;
  /** Extra attempts after a failure; the engine passes 0 unless the skill is idempotent. */
  retries: number;
  /** Base backoff between attempts (doubles, with jitter). Default 100 ms. */
  backoffMs?: number;
  signal?: AbortSignal;
  onAttempt?: (attempt: number, error?: SkillgateError) => void;
}

function isRetryable(err: SkillgateError): boolean {
  return err.category !== 'user' && err.code !== 'skill.aborted';
}

/**
 * Runs a handler with a timeout and an abort signal (the handler sees `ctx.signal`), retrying
 * system and third-party failures up to `retries` times with exponential backoff and jitter.
 */
export async function executeHandler(
  handler: Handler,
  ctx: Omit<HandlerContext, 'signal'>,
  options: ExecuteOptions,
): Promise<{ result: HandlerResult; attempts: number }> {
  let attempt = 0;
  for (;;) {
    attempt += 1;
    options.onAttempt?.(attempt);
    try {
      const result = await runOnce(handler, ctx, options);
      return { result, attempts: attempt };
    } catch (err) {
      const e = toSkillgateError(err, 'skill.failed');
      if (attempt > options.retries || !isRetryable(e) || options.signal?.aborted) throw e;
      const base = (options.backoffMs ?? 100) * 2 ** (attempt - 1);
      await new Promise((r) => setTimeout(r, base / 2 + Math.random() * base));
    }
  }
}

async function runOnce(
  handler: Handler,
  ctx: Omit<HandlerContext, 'signal'>,
  options: ExecuteOptions,
): Promise<HandlerResult> {
  const controller = new AbortController();
  const onAbort = () => controller.abort(options.signal?.reason);
  if (options.signal?.aborted) {
    throw new SkillgateError('skill.aborted', `The run of ${ctx.skill.id} was cancelled before it started.`);
  }
  options.signal?.addEventListener('abort', onAbort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = new SkillgateError(
        'skill.timeout',
        `${ctx.skill.id} did not finish within ${options.timeoutMs} ms.`,
        {
          timeout_ms: options.timeoutMs,
        },
      );
      controller.abort(err);
      reject(err);
    }, options.timeoutMs);
  });
  const aborted = new Promise<never>((_, reject) => {
    controller.signal.addEventListener(
      'abort',
      () => {
        if (options.signal?.aborted) {
          reject(new SkillgateError('skill.aborted', `The run of ${ctx.skill.id} was cancelled.`));
        }
      },
      { once: true },
    );
  });
  try {
    return await Promise.race([handler.run({ ...ctx, signal: controller.signal }), timeout, aborted]);
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
  }
}
