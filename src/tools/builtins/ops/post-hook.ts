import { SkillgateError } from '../../../core/errors.js';

export interface PostHookOptions {
  url: string;
  body: Record<string, unknown>;
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface HookResult {
  url: string;
  status: number;
  /** The first 4 KiB of the response body. */
  body: string;
  durationMs: number;
}

/**
 * POSTs a JSON body to a configured hook (restart, deploy, rollback). A 2xx answer resolves; any
 * other status, a network error or the timeout throws `handler.http_failed`.
 */
export async function postHook(options: PostHookOptions): Promise<HookResult> {
  const started = performance.now();
  const signals = [AbortSignal.timeout(options.timeoutMs)];
  if (options.signal) signals.push(options.signal);
  let res: Response;
  try {
    res = await fetch(options.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'Skillgate ops' },
      body: JSON.stringify(options.body),
      redirect: 'manual',
      signal: AbortSignal.any(signals),
    });
  } catch (err) {
    const timedOut = (err as Error).name === 'TimeoutError';
    throw new SkillgateError(
      'handler.http_failed',
      timedOut
        ? `Hook ${options.url} did not answer within ${options.timeoutMs} ms.`
        : `Hook ${options.url} could not be reached: ${(err as Error).message}.`,
      { url: options.url, timed_out: timedOut },
    );
  }
  const text = (await res.text().catch(() => '')).slice(0, 4096);
  const durationMs = Math.round(performance.now() - started);
  if (!res.ok) {
    throw new SkillgateError(
      'handler.http_failed',
      `Hook ${options.url} answered HTTP ${res.status}: ${text.slice(0, 300)}`,
      {
        url: options.url,
        status: res.status,
      },
    );
  }
  return { url: options.url, status: res.status, body: text, durationMs };
}
