import type { ServiceConfig } from '../../../core/config/config-schema.js';
import { SkillgateError } from '../../../core/errors.js';
import type { HandlerContext } from '../../handler.js';
import { postHook } from './post-hook.js';
import { assertCommandSucceeded, runCommand, safeEnv } from './run-command.js';

/** The configured actions of a service (`<action>_command` / `<action>_hook` in `ServiceSchema`). */
export type ServiceAction = 'restart' | 'deploy' | 'rollback';

/** What an action will do: run a command (argv, cwd, timeout) or POST a hook. */
export type ActionPlan =
  | {
      kind: 'command';
      command: string[];
      cwd: string | null;
      timeout_ms: number;
      env: Record<string, string>;
    }
  | { kind: 'hook'; method: 'POST'; url: string; body: Record<string, unknown>; timeout_ms: number };

export interface ActionRequest {
  service: string;
  svc: ServiceConfig;
  action: ServiceAction;
  /** Extra fields for the hook body and `SKILLGATE_*` env vars (e.g. the version to deploy). */
  params?: Record<string, string>;
}

const FIELDS: Record<ServiceAction, { command: keyof ServiceConfig; hook: keyof ServiceConfig }> = {
  restart: { command: 'restart_command', hook: 'restart_hook' },
  deploy: { command: 'deploy_command', hook: 'deploy_hook' },
  rollback: { command: 'rollback_command', hook: 'rollback_hook' },
};

/**
 * The plan of an action on a service: its configured command (preferred) or hook, or `undefined`
 * when neither is configured. Commands get `SKILLGATE_SERVICE`, `SKILLGATE_ACTION`,
 * `SKILLGATE_RUN_ID` and one `SKILLGATE_<PARAM>` per param in their (otherwise secret-free) env.
 */
export function planAction(
  req: ActionRequest,
  ctx: Pick<HandlerContext, 'runId' | 'principal'>,
): ActionPlan | undefined {
  const f = FIELDS[req.action];
  const command = req.svc[f.command] as string[] | undefined;
  const hook = req.svc[f.hook] as string | undefined;
  const params = req.params ?? {};
  if (command) {
    const env: Record<string, string> = {
      SKILLGATE_SERVICE: req.service,
      SKILLGATE_ACTION: req.action,
      SKILLGATE_RUN_ID: ctx.runId,
    };
    for (const [k, v] of Object.entries(params)) env[`SKILLGATE_${k.toUpperCase()}`] = v;
    return {
      kind: 'command',
      command: [...command],
      cwd: req.svc.cwd ?? null,
      timeout_ms: req.svc.timeout_ms,
      env,
    };
  }
  if (hook) {
    return {
      kind: 'hook',
      method: 'POST',
      url: hook,
      body: {
        service: req.service,
        action: req.action,
        ...params,
        run_id: ctx.runId,
        requested_by: ctx.principal.id,
      },
      timeout_ms: req.svc.timeout_ms,
    };
  }
  return undefined;
}

/** The plan, or `ops.service_not_configured` naming the missing settings. */
export function requirePlan(
  req: ActionRequest,
  ctx: Pick<HandlerContext, 'runId' | 'principal'>,
): ActionPlan {
  const plan = planAction(req, ctx);
  if (plan) return plan;
  const f = FIELDS[req.action];
  throw new SkillgateError(
    'ops.service_not_configured',
    `Service "${req.service}" has no ${f.command} or ${f.hook} configured, so it cannot ${req.action}.`,
    { service: req.service, action: req.action },
  );
}

export interface ActionOutcome {
  service: string;
  action: ServiceAction;
  via: 'command' | 'hook';
  ok: true;
  exit_code?: number;
  stdout?: string;
  stderr?: string;
  output_truncated?: boolean;
  http_status?: number;
  response?: string;
  duration_ms: number;
}

/**
 * Carries out a plan. A command that exits non-zero or times out throws `handler.command_failed`
 * (exit code and stderr tail in the details); a hook that fails throws `handler.http_failed`.
 */
export async function performAction(
  service: string,
  action: ServiceAction,
  plan: ActionPlan,
  signal: AbortSignal,
): Promise<ActionOutcome> {
  if (plan.kind === 'command') {
    const r = await runCommand({
      argv: plan.command,
      cwd: plan.cwd ?? undefined,
      timeoutMs: plan.timeout_ms,
      env: safeEnv(plan.env),
      signal,
    });
    assertCommandSucceeded(r, `The ${action} command of ${service} failed`);
    return {
      service,
      action,
      via: 'command',
      ok: true,
      exit_code: 0,
      stdout: r.stdout.slice(-8000),
      stderr: r.stderr.slice(-8000),
      output_truncated: r.truncated || r.stdout.length > 8000 || r.stderr.length > 8000,
      duration_ms: r.durationMs,
    };
  }
  const h = await postHook({ url: plan.url, body: plan.body, timeoutMs: plan.timeout_ms, signal });
  return {
    service,
    action,
    via: 'hook',
    ok: true,
    http_status: h.status,
    response: h.body,
    duration_ms: h.durationMs,
  };
}
