import type { Config } from './config/config-schema.js';
import { SkillgateError } from './errors.js';
import type { Principal } from './principal.js';

/** The principal with this id from config, or `auth.unknown_principal`. */
export function resolvePrincipal(config: Config, id: string): Principal {
  const p = config.principals[id];
  if (!p) {
    throw new SkillgateError(
      'auth.unknown_principal',
      `Unknown principal "${id}". Known principals: ${Object.keys(config.principals).join(', ')}.`,
      { principal: id },
    );
  }
  return { id, tenant: p.tenant, roles: p.roles, displayName: p.display_name ?? id };
}
