import type { Config, ServiceConfig } from '../../../core/config/config-schema.js';
import { SkillgateError } from '../../../core/errors.js';

/** The names of the configured services, sorted. */
export function serviceNames(config: Config): string[] {
  return Object.keys(config.services).sort();
}

/**
 * The configured service `name`; throws `ops.service_unknown` naming the known services otherwise.
 */
export function resolveService(config: Config, name: string): ServiceConfig {
  const svc = Object.hasOwn(config.services, name) ? config.services[name] : undefined;
  if (svc) return svc;
  const known = serviceNames(config);
  throw new SkillgateError(
    'ops.service_unknown',
    known.length
      ? `Unknown service "${name}". Known services: ${known.join(', ')}.`
      : `Unknown service "${name}": no services are configured (add them under \`services\` in the config).`,
    { service: name, known: known.join(',') },
  );
}
