import type { BuiltinHandler, HandlerContext } from '../../handler.js';
import { checkHealth, type HealthState, type ServiceHealth } from './check-health.js';
import { resolveService, serviceNames } from './services.js';

interface ServiceStatusInput {
  service?: string;
  timeout_ms?: number;
}

export interface ServiceStatusOutput {
  checked_at: string;
  services: ServiceHealth[];
  summary: Record<HealthState, number>;
  all_up: boolean;
}

/**
 * Checks the configured services' health URLs in parallel (one GET each, `timeout_ms` default
 * 3000). An unknown `service` throws `ops.service_unknown` listing the known ones.
 */
export async function serviceStatus(ctx: HandlerContext): Promise<ServiceStatusOutput> {
  const input = ctx.input as ServiceStatusInput;
  const timeoutMs = input.timeout_ms ?? 3000;
  const names = input.service ? [input.service] : serviceNames(ctx.config);
  const targets = names.map((name) => ({ name, svc: resolveService(ctx.config, name) }));
  const services = await Promise.all(
    targets.map(({ name, svc }) => checkHealth(name, svc, { timeoutMs, signal: ctx.signal })),
  );
  const summary: Record<HealthState, number> = { up: 0, down: 0, unreachable: 0, unchecked: 0 };
  for (const s of services) summary[s.status] += 1;
  return {
    checked_at: new Date().toISOString(),
    services,
    summary,
    all_up: services.length > 0 && services.every((s) => s.status === 'up' || s.status === 'unchecked'),
  };
}

/** The `ops.service_status` builtin (read-only: no preview; a dry run checks for real). */
export const serviceStatusBuiltin: BuiltinHandler = {
  async run(ctx) {
    return { output: await serviceStatus(ctx) };
  },
};
