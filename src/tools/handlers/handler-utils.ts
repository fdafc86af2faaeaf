import { SkillgateError } from '../../core/errors.js';
import type { HandlerResult } from '../handler.js';

const RESULT_KEYS = new Set(['output', 'costUsd', 'tokens']);

/**
 * Normalises what a builtin or module returns: an object with an `output` key and no keys other
 * than `output`, `costUsd`, `tokens` is taken as a `HandlerResult`; any other value is the output.
 * (A function whose output itself looks like `{output}` must therefore wrap it: `{output: {output}}`.)
 */
export function toHandlerResult(value: unknown): HandlerResult {
  if (value && typeof value === 'object' && !Array.isArray(value) && Object.hasOwn(value, 'output')) {
    const keys = Object.keys(value);
    if (keys.every((k) => RESULT_KEYS.has(k))) {
      const r = value as HandlerResult;
      const out: HandlerResult = { output: r.output };
      if (typeof r.costUsd === 'number') out.costUsd = r.costUsd;
      if (typeof r.tokens === 'number') out.tokens = r.tokens;
      return out;
    }
  }
  return { output: value };
}

/**
 * The error to throw when `signal` aborted: its reason when that is already a SkillgateError (the
 * engine aborts with `skill.timeout` on timeouts), otherwise `skill.aborted`.
 */
export function abortError(signal: AbortSignal, skillId: string): SkillgateError {
  if (signal.reason instanceof SkillgateError) return signal.reason;
  return new SkillgateError('skill.aborted', `The run of ${skillId} was cancelled.`, { skill: skillId });
}

/** `skill.timeout` for a handler's own time limit (the skill's `timeout_ms`). */
export function timeoutError(skillId: string, timeoutMs: number): SkillgateError {
  return new SkillgateError('skill.timeout', `${skillId} did not finish within ${timeoutMs} ms.`, {
    skill: skillId,
    timeout_ms: timeoutMs,
  });
}
