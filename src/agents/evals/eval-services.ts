import type { ServiceConfig } from '../../core/config/config-schema.js';

/**
 * Services configured for agent evals on an isolated database, so that the `ops.*` scenarios
 * have something to name: health URLs on a closed loopback port (reported unreachable, never
 * contacted elsewhere) and harmless commands that only run after an approval nobody gives.
 */
export const EVAL_SERVICES: Record<string, ServiceConfig> = {
  payments: {
    description: 'Payments API (eval)',
    health_url: 'http://127.0.0.1:9/health',
    restart_command: ['true'],
    timeout_ms: 30_000,
  },
  api: {
    description: 'Public API (eval)',
    health_url: 'http://127.0.0.1:9/healthz',
    deploy_command: ['true'],
    rollback_command: ['true'],
    timeout_ms: 30_000,
  },
};
