import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { CallToolResult, LoggingLevel, RequestId } from '@modelcontextprotocol/sdk/types.js';
import type { SkillgateApp } from '../core/app.js';
import { SkillgateError } from '../core/errors.js';
import type { EngineEvent } from '../core/events.js';
import type { Principal } from '../core/principal.js';
import type { RunResult } from '../core/run-request.js';
import { canElicitApproval, elicitApproval } from './approval-elicitation.js';
import { approvalRequiredResult, runResultToToolResult } from './tool-result.js';

/** What a tool call needs besides its arguments (one per call). */
export interface ToolCallEnv {
  app: SkillgateApp;
  principal: Principal;
  server: Server;
  requestId: RequestId;
  /** Aborted when the client cancels the call or goes away. */
  signal: AbortSignal;
  /** The request's `_meta.progressToken`, if the client asked for progress. */
  progressToken?: string | number;
  /** Sends a notification related to this call (progress, log messages). */
  notify(method: string, params: Record<string, unknown>): Promise<void>;
  /** Sends a log message to the client when its level passes the client's threshold. */
  log(level: LoggingLevel, data: Record<string, unknown>): void;
  elicitationTimeoutMs: number;
}

export interface EngineCall {
  skill?: string;
  query?: string;
  input: Record<string, unknown>;
  mode?: 'execute' | 'dry_run';
}

const STEP_DONE = new Set(['succeeded', 'failed', 'skipped']);

/** Progress per finished pipeline step of the top-level run (`notifications/progress`), and log messages. */
function eventsTo(env: ToolCallEnv, total: number | undefined): (e: EngineEvent) => void {
  let topRun: string | undefined;
  let done = 0;
  return (e) => {
    topRun ??= e.runId;
    if (e.type === 'approval_requested' && e.runId === topRun) {
      env.log('notice', { event: 'approval_requested', run: e.runId, ...e.data });
    }
    if (e.type !== 'step_progress' || e.runId !== topRun) return;
    const status = String(e.data.status);
    env.log('info', { event: 'step', run: e.runId, step: e.data.step, skill: e.data.skill, status });
    if (env.progressToken === undefined || !STEP_DONE.has(status)) return;
    done += 1;
    env
      .notify('notifications/progress', {
        progressToken: env.progressToken,
        progress: done,
        ...(total !== undefined && done <= total ? { total } : {}),
        message: `step ${String(e.data.step)} (${String(e.data.skill)}) ${status}`,
      })
      .catch(() => {});
  };
}

function pipelineSteps(app: SkillgateApp, skillId: string | undefined): number | undefined {
  const handler = skillId ? app.registry.get(skillId)?.spec.handler : undefined;
  return handler?.type === 'pipeline' ? handler.steps.length : undefined;
}

/**
 * Runs a tool call through `engine.run` on the `mcp` channel (every gate applies), with progress per
 * pipeline step and cancellation. A run waiting for approval asks the user with an elicitation form
 * when the client supports it and the principal may decide; otherwise (or when nothing was decided)
 * the result is `approval_required` with how to decide.
 */
export async function callThroughEngine(
  env: ToolCallEnv,
  call: EngineCall,
  structured: (skillId: string | undefined) => boolean,
): Promise<CallToolResult> {
  const result = await env.app.engine.run({
    principal: env.principal,
    channel: 'mcp',
    skill: call.skill,
    query: call.query,
    input: call.input,
    mode: call.mode,
    signal: env.signal,
    onEvent: eventsTo(env, pipelineSteps(env.app, call.skill)),
  });
  env.log(result.error ? 'warning' : 'info', {
    event: 'run_finished',
    run: result.runId,
    skill: result.skill ?? null,
    status: result.status,
    error: result.error?.code ?? null,
  });
  if (result.status !== 'pending_approval') return runResultToToolResult(result, structured(result.skill));
  return decideByElicitation(env, result, structured);
}

async function decideByElicitation(
  env: ToolCallEnv,
  result: RunResult,
  structured: (skillId: string | undefined) => boolean,
): Promise<CallToolResult> {
  if (!canElicitApproval(env.server, env.principal, result)) return approvalRequiredResult({ result });
  const title =
    (result.skill && env.app.registry.get(result.skill)?.spec.title) || result.skill || 'the skill';
  const outcome = await elicitApproval(
    {
      server: env.server,
      engine: env.app.engine,
      principal: env.principal,
      result,
      relatedRequestId: env.requestId,
      signal: env.signal,
      timeoutMs: env.elicitationTimeoutMs,
    },
    title,
  );
  if (outcome.kind === 'not_decided') return approvalRequiredResult({ result, note: outcome.note });
  if (outcome.run) return runResultToToolResult(outcome.run, structured(result.skill));
  if (outcome.status === 'denied') {
    return runResultToToolResult(
      {
        ...result,
        status: 'denied',
        error: new SkillgateError(
          'approval.denied',
          `${env.principal.id} denied the run of ${result.skill}.`,
          {
            approval: result.approval!.id,
          },
        ).toJSON(),
      },
      false,
    );
  }
  const note =
    outcome.status === 'pending'
      ? `Your approval was recorded (${outcome.votes} of ${result.approval!.quorum}); more approvers must agree.`
      : `Your decision was recorded; the approval is ${outcome.status} (another surface is running it).`;
  return approvalRequiredResult({ result, note });
}
