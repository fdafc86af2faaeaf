import { SkillgateError } from '../../../core/errors.js';
import type { BuiltinHandler } from '../../handler.js';
import { checkHealth, type ServiceHealth } from './check-health.js';
import { performAction, planAction, requirePlan } from './service-action.js';
import { resolveService } from './services.js';

interface DeployInput {
  service: string;
  version?: string;
  environment?: string;
}

interface VerifyInput {
  service: string;
  attempts?: number;
  interval_ms?: number;
  timeout_ms?: number;
}

interface RollbackInput {
  service: string;
  reason?: string;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** `version` and `environment`, when given: hook body fields and `SKILLGATE_VERSION` / `SKILLGATE_ENVIRONMENT`. */
function deployParams(input: DeployInput): Record<string, string> {
  const params: Record<string, string> = {};
  if (input.version) params.version = input.version;
  if (input.environment) params.environment = input.environment;
  return params;
}

/** `ops.run_deploy` (internal step of `ops.deploy`): the service's deploy command or hook. */
export const runDeployBuiltin: BuiltinHandler = {
  async preview(ctx) {
    const input = ctx.input as unknown as DeployInput;
    const svc = resolveService(ctx.config, input.service);
    const plan = requirePlan(
      { service: input.service, svc, action: 'deploy', params: deployParams(input) },
      ctx,
    );
    return {
      action: 'deploy',
      service: input.service,
      version: input.version ?? null,
      environment: input.environment ?? null,
      would_run: plan,
    };
  },
  async run(ctx) {
    const input = ctx.input as unknown as DeployInput;
    const svc = resolveService(ctx.config, input.service);
    const plan = requirePlan(
      { service: input.service, svc, action: 'deploy', params: deployParams(input) },
      ctx,
    );
    const outcome = await performAction(input.service, 'deploy', plan, ctx.signal);
    return {
      output: {
        ...outcome,
        deployed: true,
        version: input.version ?? null,
        environment: input.environment ?? null,
      },
    };
  },
};

/**
 * `ops.verify_health` (internal step of `ops.deploy`): polls the health URL until it answers 2xx/3xx,
 * up to `attempts` (default 5) times `interval_ms` (default 2000) apart; then `ops.unhealthy`.
 * A service without a health URL is reported as not verified, without failing.
 */
export const verifyHealthBuiltin: BuiltinHandler = {
  async run(ctx) {
    const input = ctx.input as unknown as VerifyInput;
    const svc = resolveService(ctx.config, input.service);
    const attempts = input.attempts ?? 5;
    const interval = input.interval_ms ?? 2000;
    const timeoutMs = input.timeout_ms ?? 3000;
    let last: ServiceHealth | undefined;
    for (let i = 1; i <= attempts; i++) {
      last = await checkHealth(input.service, svc, { timeoutMs, signal: ctx.signal });
      if (last.status === 'unchecked') {
        return {
          output: {
            service: input.service,
            verified: false,
            attempts: 0,
            reason: 'no health_url configured',
            last,
          },
        };
      }
      if (last.status === 'up')
        return { output: { service: input.service, verified: true, attempts: i, last } };
      if (i < attempts) await sleep(interval, ctx.signal);
    }
    throw new SkillgateError(
      'ops.unhealthy',
      `${input.service} is not healthy after ${attempts} checks: ${last?.status} (${last?.error ?? 'no detail'}).`,
      {
        service: input.service,
        attempts,
        status: last?.status ?? null,
        http_status: last?.http_status ?? null,
      },
    );
  },
};

/**
 * `ops.rollback` (internal `on_failure` step of `ops.deploy`): the rollback command or hook. With
 * none configured it reports `rolled_back: false` instead of failing, so the deploy's own error
 * stays the pipeline's error.
 */
export const rollbackBuiltin: BuiltinHandler = {
  async preview(ctx) {
    const input = ctx.input as unknown as RollbackInput;
    const svc = resolveService(ctx.config, input.service);
    const plan = planAction({ service: input.service, svc, action: 'rollback' }, ctx);
    return {
      action: 'rollback',
      service: input.service,
      would_run: plan ?? null,
      note: plan ? null : 'no rollback configured',
    };
  },
  async run(ctx) {
    const input = ctx.input as unknown as RollbackInput;
    const svc = resolveService(ctx.config, input.service);
    const plan = planAction({ service: input.service, svc, action: 'rollback', params: {} }, ctx);
    if (!plan) {
      return {
        output: {
          service: input.service,
          rolled_back: false,
          reason: 'no rollback_command or rollback_hook configured',
        },
      };
    }
    const outcome = await performAction(input.service, 'rollback', plan, ctx.signal);
    return { output: { ...outcome, rolled_back: true, reason: input.reason ?? null } };
  },
};
