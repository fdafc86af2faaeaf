import type { MiddlewareHandler } from 'hono';
import { SkillgateError } from '../../core/errors.js';

export interface HostCheckOptions {
  /**
   * Host names (or `host:port`) the server answers to, e.g. `['127.0.0.1', 'localhost', '[::1]']`.
   * `*` allows any host (only behind a proxy that checks it). An empty list allows none.
   */
  allowedHosts: readonly string[];
}

/** The host name of a `Host` header value, without the port (`[::1]:7410` -> `[::1]`). */
export function hostnameOf(host: string): string {
  const h = host.trim().toLowerCase();
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    return end > 0 ? h.slice(0, end + 1) : h;
  }
  const colon = h.indexOf(':');
  return colon >= 0 && colon === h.lastIndexOf(':') ? h.slice(0, colon) : h;
}

/**
 * DNS-rebinding protection: refuses requests whose `Host` header (or, without one, the URL's host)
 * is not in `allowedHosts` with 403 `request.host_not_allowed`.
 */
export function hostCheck(options: HostCheckOptions): MiddlewareHandler {
  const allowed = new Set(options.allowedHosts.map((h) => h.trim().toLowerCase()));
  const any = allowed.has('*');
  return async (c, next) => {
    if (!any) {
      const host = c.req.header('host') ?? new URL(c.req.url).host;
      const full = host.trim().toLowerCase();
      if (!allowed.has(full) && !allowed.has(hostnameOf(full))) {
        throw new SkillgateError('request.host_not_allowed', `Host "${host.slice(0, 200)}" is not allowed.`, {
          host: host.slice(0, 200),
        });
      }
    }
    await next();
  };
}
