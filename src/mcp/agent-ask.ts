import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { AgentEvent, AgentRunResult } from '../agents/agent-types.js';
import { agentLoopFor, continueAfterDecision } from '../agents/app-agent-loop.js';
import { formatAgentEvent } from '../agents/format-agent-event.js';
import { getApproval } from '../core/approvals/approval-store.js';
import type { RunResult } from '../core/run-request.js';
import { canElicitApproval, elicitApproval } from './approval-elicitation.js';
import type { ToolCallEnv } from './call-through-engine.js';
import { textOf } from './tool-result.js';

/** Live agent progress: log messages per event, `notifications/progress` per finished step. */
function agentEventsTo(env: ToolCallEnv): (e: AgentEvent) => void {
  let done = 0;
  return (e) => {
    const line = formatAgentEvent(e);
    if (line) {
      env.log(e.type === 'waiting_approval' ? 'notice' : 'info', {
        event: e.type,
        agent_run: e.agentRunId,
        line: line.trim(),
      });
    }
    if (e.type !== 'step_finished' || env.progressToken === undefined) return;
    done += 1;
    env
      .notify('notifications/progress', {
        progressToken: env.progressToken,
        progress: done,
        message: line?.trim() ?? `step ${String(e.data.step)} ${String(e.data.status)}`,
      })
      .catch(() => {});
  };
}

/** How to decide the approvals an agent run waits for, and how to get its outcome. */
export function agentHowToDecide(r: AgentRunResult): string {
  const ids = r.approvals.map((a) => `"${a.approvalId}"`).join(', ');
  return [
    `An approver (not the requester, for a high-risk step) decides ${r.approvals.length > 1 ? `each of ${ids}` : ids}:`,
    'the MCP tool approvals_decide with that approval_id, `skillgate approvals approve <id>`, or the approval card in chat.',
    `The agent run continues by itself once they are decided; runs_get with run_id "${r.id}" returns its answer.`,
  ].join(' ');
}

/** An agent run as MCP clients see it (the `ask` result and `runs_get` of an `agt_` id). */
export function agentRunView(r: AgentRunResult): Record<string, unknown> {
  const view: Record<string, unknown> = {
    agent_run_id: r.id,
    status: r.status,
    mode: r.mode,
    goal: r.goal ?? null,
    answer: r.answer ?? null,
    statements: r.statements.map((s) => ({ text: s.text, steps: s.steps, citations: s.citations })),
    citations: r.citations,
    question: r.question ?? null,
    escalation: r.escalation ?? null,
    error: r.error ?? null,
    steps: r.steps.map((s) => ({
      step: s.stepKey,
      skill: s.skillId,
      status: s.status,
      run_id: s.runId ?? null,
      approval_id: s.approvalId ?? null,
      duration_ms: s.durationMs ?? null,
      error: s.error ?? null,
    })),
    approvals: r.approvals.map((a) => ({ approval_id: a.approvalId, skill: a.skill, step: a.stepKey })),
    input_tokens: r.inputTokens,
    output_tokens: r.outputTokens,
    cost_usd: r.costUsd,
    duration_ms: r.durationMs,
  };
  if (r.status === 'waiting_approval' && r.approvals.length) view.how_to_decide = agentHowToDecide(r);
  return view;
}

/** The tool result of an agent run: text for the model, the view as `structuredContent`. */
export function agentRunToolResult(r: AgentRunResult, notes: string[] = []): CallToolResult {
  const view = agentRunView(r);
  if (notes.length) view.note = notes.join(' ');
  const lines: string[] = [];
  if (r.status === 'needs_input') lines.push(r.question ?? 'More information is needed.');
  else if (r.answer) lines.push(r.answer);
  for (const a of r.status === 'waiting_approval' ? r.approvals : []) {
    lines.push(`waiting for approval ${a.approvalId} (${a.skill}, step ${a.stepKey})`);
  }
  if (view.how_to_decide) lines.push(String(view.how_to_decide));
  if (r.status === 'escalated' && r.escalation) lines.push(`escalated to a human: ${r.escalation.summary}`);
  if (r.error) lines.push(`error ${r.error.code}: ${r.error.message}`, `hint: ${r.error.hint}`);
  lines.push(...notes, `agent run ${r.id}: ${r.status} (${r.mode})`);
  const approval = r.status === 'waiting_approval' ? r.approvals[0]?.approvalId : undefined;
  return {
    ...(r.status === 'failed' || r.status === 'cancelled' ? { isError: true } : {}),
    content: [{ type: 'text', text: textOf(lines.join('\n')) }],
    structuredContent: view,
    _meta: {
      'skillgate/agent_run': r.id,
      ...(approval ? { 'skillgate/approval': approval } : {}),
      ...(r.error ? { 'skillgate/error': r.error.code } : {}),
    },
  };
}

/** The pending approval as the elicitation form expects it (a `pending_approval` engine result). */
async function pendingResult(env: ToolCallEnv, approvalId: string, agentRunId: string) {
  const a = await getApproval(env.app.db, approvalId, env.principal.tenant);
  if (a?.status !== 'pending') return undefined;
  const result: RunResult = {
    runId: a.runId,
    requestId: agentRunId,
    status: 'pending_approval',
    skill: a.skillId,
    preview: a.preview,
    approval: {
      id: a.id,
      expiresAt: a.expiresAt,
      approverRoles: a.approverRoles,
      quorum: a.quorum,
      reason: a.reason,
    },
    costUsd: 0,
    durationMs: 0,
  };
  return result;
}

/**
 * Asks the user to decide each approval the run waits for with the same elicitation form as skill
 * tools (when the client shows forms and the principal holds an approver role), and continues the
 * run after every recorded decision. Returns the run where it stands, with notes on what was not
 * decided (dismissed, refused by the rules, a quorum still short).
 */
async function decideByElicitation(
  env: ToolCallEnv,
  run: AgentRunResult,
): Promise<{ run: AgentRunResult; notes: string[] }> {
  const notes: string[] = [];
  const asked = new Set<string>();
  let r = run;
  while (r.status === 'waiting_approval') {
    const next = r.approvals.find((a) => !asked.has(a.approvalId));
    if (!next) break;
    asked.add(next.approvalId);
    const pending = await pendingResult(env, next.approvalId, r.id);
    if (!pending || !canElicitApproval(env.server, env.principal, pending)) continue;
    const title = env.app.registry.get(next.skill)?.spec.title ?? next.skill;
    const outcome = await elicitApproval(
      {
        server: env.server,
        engine: env.app.engine,
        principal: env.principal,
        result: pending,
        relatedRequestId: env.requestId,
        signal: env.signal,
        timeoutMs: env.elicitationTimeoutMs,
      },
      title,
    );
    if (outcome.kind === 'not_decided') {
      notes.push(outcome.note);
      continue;
    }
    const continued = await continueAfterDecision(env.app, next.approvalId);
    if (continued) r = continued;
    else {
      notes.push(
        `Your approval of ${next.approvalId} was recorded (${outcome.votes} of ${pending.approval!.quorum}); more approvers must agree.`,
      );
    }
  }
  return { run: r, notes };
}

/**
 * The `ask` tool: plans the request with the app's agent loop (channel `mcp`), runs every step
 * through the engine, and answers with cited statements and the steps. A run paused for approval
 * asks the user through the elicitation form when possible and continues after the decision;
 * otherwise the result lists the approval ids and how to decide them.
 */
export async function askThroughAgent(env: ToolCallEnv, request: string): Promise<CallToolResult> {
  const loop = agentLoopFor(env.app);
  const onEvent = agentEventsTo(env);
  const first = await loop.ask({
    principal: env.principal,
    request,
    channel: 'mcp',
    signal: env.signal,
    onEvent,
  });
  if (first.status !== 'waiting_approval') return agentRunToolResult(first);
  // Progress of resumes started below (they run on the loop, not on this call's onEvent).
  const relay = (e: AgentEvent) => {
    if (e.agentRunId === first.id) onEvent(e);
  };
  loop.on('event', relay);
  try {
    const { run, notes } = await decideByElicitation(env, first);
    return agentRunToolResult(run, notes);
  } finally {
    loop.off('event', relay);
  }
}
