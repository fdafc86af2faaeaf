import type { MiddlewareHandler } from 'hono';
import { SkillgateError } from '../../core/errors.js';

export interface OriginCheckOptions {
  /** Origins allowed besides the server's own (`server.cors_origins`; `*` allows any). */
  allowedOrigins: readonly string[];
}

/**
 * DNS-rebinding and cross-site protection for browser requests: a request with an `Origin` header
 * must come from the server's own origin (same host as the `Host` header) or an allowed origin,
 * else 403 `request.origin_not_allowed`. Requests without `Origin` (non-browser clients) pass; the
 * `Host` header is checked by the server's host check before this runs.
 */
export function originCheck(options: OriginCheckOptions): MiddlewareHandler {
  const allowed = new Set(options.allowedOrigins.map((o) => o.trim().toLowerCase().replace(/\/$/, '')));
  const any = allowed.has('*');
  return async (c, next) => {
    const origin = c.req.header('origin');
    if (origin && !any) {
      const o = origin.trim().toLowerCase();
      let sameHost = false;
      try {
        sameHost = new URL(o).host === (c.req.header('host') ?? new URL(c.req.url).host).toLowerCase();
      } catch {
        sameHost = false;
      }
      if (!sameHost && !allowed.has(o)) {
        throw new SkillgateError(
          'request.origin_not_allowed',
          `Origin "${origin.slice(0, 200)}" is not allowed.`,
          {
            origin: origin.slice(0, 200),
          },
        );
      }
    }
    await next();
  };
}
