import { ERROR_CODES, type ErrorCode } from '../../core/error-codes.js';
import { SkillgateError } from '../../core/errors.js';
import type { RunErrorInfo } from '../../core/run-request.js';
import { type ChatMessage, clamp } from '../chat-message.js';

/** Anything that may hold a secret value or a path; replaced before text reaches chat. */
export type Redact = (text: string) => string;

const SHORT = 300;

/** The error shape chat shows: the code, a short message and what to do. Never a stack trace. */
export function errorInfoOf(err: unknown): Pick<RunErrorInfo, 'code' | 'message' | 'hint'> {
  if (err instanceof SkillgateError) return { code: err.code, message: err.message, hint: err.hint };
  if (
    err &&
    typeof err === 'object' &&
    'code' in err &&
    typeof err.code === 'string' &&
    err.code in ERROR_CODES
  ) {
    const e = err as { code: ErrorCode; message?: string; hint?: string };
    return { code: e.code, message: e.message ?? '', hint: e.hint ?? ERROR_CODES[e.code].hint };
  }
  return {
    code: 'internal.error',
    message: 'Something went wrong on the Skillgate side.',
    hint: 'Try again; if it keeps happening, an admin can find the details in the server logs.',
  };
}

/**
 * A short chat message for an error: `code`, the first line of the message, and the hint. The text
 * goes through `redact` (secret values) and is cut to a few hundred characters.
 */
export function errorMessage(err: unknown, redact: Redact = (t) => t, title?: string): ChatMessage {
  const info = errorInfoOf(err);
  const message = clamp(redact(String(info.message).split('\n')[0]), SHORT);
  const hint = clamp(redact(info.hint ?? ''), SHORT);
  return {
    text: `${info.code}: ${message}`,
    title: title ?? 'Not done',
    tone: 'danger',
    lines: [`\`${info.code}\` ${message}`, ...(hint ? [`What to do: ${hint}`] : [])],
  };
}
