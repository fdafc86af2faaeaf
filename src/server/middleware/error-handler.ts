import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Logger } from 'pino';
import { SkillgateError } from '../../core/errors.js';

/** The JSON body of every error answer: `{error: {code, id, message, hint}}`. */
export interface ErrorBody {
  error: { code: string; id: string; message: string; hint: string; details?: Record<string, unknown> };
}

export interface ErrorHandlerOptions {
  logger: Logger;
}

function answer(c: Context, err: SkillgateError): Response {
  const body: ErrorBody = {
    error: { code: err.code, id: err.id, message: err.message, hint: err.hint, details: err.details },
  };
  return c.json(body, err.httpStatus as ContentfulStatusCode);
}

/**
 * The one error handler: a `SkillgateError` answers with its `httpStatus` and its code, message
 * and hint; Hono's own HTTP exceptions keep their status; anything else is logged and answers
 * 500 `internal.error` without a stack or internal message.
 */
export function errorHandler(options: ErrorHandlerOptions): ErrorHandler {
  return (err, c) => {
    if (err instanceof SkillgateError) {
      if (err.httpStatus >= 500)
        options.logger.error({ code: err.code, path: c.req.path, err }, 'request failed');
      return answer(c, err);
    }
    if (err instanceof HTTPException && err.status < 500) {
      const code = err.status === 413 ? 'request.too_large' : 'request.invalid';
      return answer(c, new SkillgateError(code, err.message || 'Bad request.'));
    }
    options.logger.error({ err, path: c.req.path }, 'unexpected error');
    return answer(c, new SkillgateError('internal.error', 'An unexpected error occurred.'));
  };
}

/** 404 `request.not_found` in the same JSON shape. */
export function notFoundHandler(): NotFoundHandler {
  return (c) =>
    answer(c, new SkillgateError('request.not_found', `No route for ${c.req.method} ${c.req.path}.`));
}
