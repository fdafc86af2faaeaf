import type { MiddlewareHandler } from 'hono';
import { bodyLimit as honoBodyLimit } from 'hono/body-limit';
import { SkillgateError } from '../../core/errors.js';

export interface BodyLimitOptions {
  /** Largest accepted request body in bytes (`server.body_limit_bytes`, default 1 MiB). */
  maxBytes: number;
}

/**
 * Refuses request bodies larger than `maxBytes` with 413 `request.too_large`, whether the size is
 * declared (`Content-Length`) or only seen while streaming.
 */
export function bodyLimit(options: BodyLimitOptions): MiddlewareHandler {
  return honoBodyLimit({
    maxSize: options.maxBytes,
    onError: () => {
      throw new SkillgateError(
        'request.too_large',
        `The request body is larger than ${options.maxBytes} bytes.`,
        {
          limit_bytes: options.maxBytes,
        },
      );
    },
  });
}
