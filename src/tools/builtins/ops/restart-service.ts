import type { BuiltinHandler } from '../../handler.js';
import { performAction, requirePlan } from './service-action.js';
import { resolveService } from './services.js';

interface RestartInput {
  service: string;
  reason?: string;
}

/**
 * `ops.restart_service`: runs the service's `restart_command` (argv, no shell, its `cwd` and
 * `timeout_ms`, an env without secrets) or POSTs its `restart_hook`. The preview shows exactly
 * the command or the hook request. Exit code != 0 -> `handler.command_failed`.
 */
export const restartServiceBuiltin: BuiltinHandler = {
  async preview(ctx) {
    const input = ctx.input as unknown as RestartInput;
    const svc = resolveService(ctx.config, input.service);
    const plan = requirePlan({ service: input.service, svc, action: 'restart' }, ctx);
    return {
      action: 'restart',
      service: input.service,
      reason: input.reason ?? null,
      would_run: plan,
      summary:
        plan.kind === 'command'
          ? `Run \`${plan.command.join(' ')}\`${plan.cwd ? ` in ${plan.cwd}` : ''} (timeout ${plan.timeout_ms} ms)`
          : `POST ${plan.url} (timeout ${plan.timeout_ms} ms)`,
    };
  },
  async run(ctx) {
    const input = ctx.input as unknown as RestartInput;
    const svc = resolveService(ctx.config, input.service);
    const plan = requirePlan({ service: input.service, svc, action: 'restart' }, ctx);
    ctx.log.info({ service: input.service, via: plan.kind }, 'restarting service');
    const outcome = await performAction(input.service, 'restart', plan, ctx.signal);
    return { output: { ...outcome, restarted: true, reason: input.reason ?? null } };
  },
};
