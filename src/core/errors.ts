import { ERROR_CODES, type ErrorCode } from './error-codes.js';

export type ErrorDetails = Record<string, string | number | boolean | null>;

/**
 * The one error class of Skillgate. `code` is a stable dotted code from `ERROR_CODES`;
 * `details` hold JSON scalars only, so that every surface can serialise them as they are.
 */
export class SkillgateError extends Error {
  override readonly name = 'SkillgateError';
  readonly code: ErrorCode;
  readonly details: ErrorDetails;

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.details = details;
  }

  get id(): string {
    return ERROR_CODES[this.code].id;
  }
  get category(): string {
    return ERROR_CODES[this.code].category;
  }
  get httpStatus(): number {
    return ERROR_CODES[this.code].http;
  }
  get hint(): string {
    return ERROR_CODES[this.code].hint;
  }

  /** A JSON shape for wire formats and run records. */
  toJSON(): { code: ErrorCode; id: string; message: string; hint: string; details: ErrorDetails } {
    return { code: this.code, id: this.id, message: this.message, hint: this.hint, details: this.details };
  }

  static is(err: unknown, code?: ErrorCode): err is SkillgateError {
    return err instanceof SkillgateError && (code === undefined || err.code === code);
  }
}

/** Wraps any thrown value into a SkillgateError (unknown errors become `fallback`). */
export function toSkillgateError(err: unknown, fallback: ErrorCode = 'internal.error'): SkillgateError {
  if (err instanceof SkillgateError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new SkillgateError(fallback, message, {}, { cause: err });
}
