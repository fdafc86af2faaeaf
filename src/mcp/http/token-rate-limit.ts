import type { MiddlewareHandler } from 'hono';
import { rateLimitedError, TokenBucketLimiter } from '../../core/gates/rate-limit.js';
import type { McpAuthVariables } from './bearer-auth.js';

export interface TokenRateLimitOptions {
  burst: number;
  perSecond: number;
}

/**
 * A token bucket per bearer token (per replica): over it, 429 `rate.limited` with `Retry-After`.
 * Other tokens are not affected. Runs after `bearerAuth`.
 */
export function tokenRateLimit(
  options: TokenRateLimitOptions,
): MiddlewareHandler<{ Variables: McpAuthVariables }> {
  const limiter = new TokenBucketLimiter({ burst: options.burst, perSecond: options.perSecond });
  return async (c, next) => {
    const token = c.get('mcpToken');
    const r = limiter.take(token.id);
    if (!r.ok) {
      const err = rateLimitedError(`token ${token.name}`, r.retryAfterS);
      return c.json({ error: err.toJSON() }, 429, { 'Retry-After': String(r.retryAfterS) });
    }
    await next();
  };
}
