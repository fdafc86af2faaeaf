import type { Context, MiddlewareHandler } from 'hono';
import { SkillgateError } from '../../core/errors.js';
import type { Principal } from '../../core/principal.js';
import type { ApiTokenRecord, TokenRefusal, TokenStore } from '../tokens/token-store.js';

/** What `bearerAuth` puts in the Hono context. */
export interface McpAuthVariables {
  mcpPrincipal: Principal;
  mcpToken: ApiTokenRecord;
}

const MESSAGES: Record<TokenRefusal, string> = {
  missing: 'This endpoint needs "Authorization: Bearer <token>" (create one with `skillgate tokens create`).',
  malformed: 'The bearer token is not a Skillgate token.',
  unknown: 'The bearer token is not valid.',
  revoked: 'The bearer token was revoked.',
  expired: 'The bearer token has expired.',
  principal_unknown: 'The principal of this bearer token no longer exists in the configuration.',
};

/** The 401 answer: the usual JSON error body and a `WWW-Authenticate: Bearer` challenge. */
export function unauthorized(c: Context, reason: TokenRefusal): Response {
  const err = new SkillgateError('auth.unauthorized', MESSAGES[reason], { reason });
  const challenge =
    reason === 'missing'
      ? 'Bearer realm="skillgate"'
      : `Bearer realm="skillgate", error="invalid_token", error_description="${MESSAGES[reason].replaceAll('"', "'")}"`;
  return c.json({ error: err.toJSON() }, 401, { 'WWW-Authenticate': challenge });
}

/**
 * Requires `Authorization: Bearer <token>`: 401 with a clear reason (missing, malformed, unknown,
 * revoked, expired) otherwise. Sets `mcpPrincipal` and `mcpToken` for the handlers.
 */
export function bearerAuth(tokens: TokenStore): MiddlewareHandler<{ Variables: McpAuthVariables }> {
  return async (c, next) => {
    const header = c.req.header('authorization');
    const m = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (header && !m) return unauthorized(c, 'malformed');
    const check = await tokens.verify(m?.[1]);
    if (!check.ok) return unauthorized(c, check.reason);
    c.set('mcpPrincipal', check.principal);
    c.set('mcpToken', check.token);
    await next();
  };
}
