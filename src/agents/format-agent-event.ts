import type { AgentEvent } from './agent-types.js';

const STEP_MARK: Record<string, string> = {
  running: '…',
  succeeded: '✓',
  reused: '↺',
  failed: '✗',
  waiting_approval: '⏸',
};

const str = (v: unknown) => (v === null || v === undefined ? '' : String(v));

/**
 * One line of live progress for an agent event (terminals, chat threads), or undefined for events
 * not worth a line. `elapsedMs` is shown when given.
 */
export function formatAgentEvent(e: AgentEvent, elapsedMs?: number): string | undefined {
  const d = e.data;
  const t = elapsedMs === undefined ? '' : `  ${(elapsedMs / 1000).toFixed(1)}s`;
  switch (e.type) {
    case 'agent_started':
      return `⟳ planning (${str(d.mode)})${t}`;
    case 'plan_created': {
      const steps = (d.steps as string[]) ?? [];
      if (d.clarification) return `? the plan needs more information${t}`;
      return `✓ plan v${str(d.version)} (${str(d.prompt)}): ${steps.join(', ') || 'no steps'}${t}`;
    }
    case 'plan_rejected':
      return `✗ plan v${str(d.version)}.${str(d.attempt)} rejected: ${((d.issues as string[]) ?? []).slice(0, 2).join('; ')}${t}`;
    case 'step_started':
      return `  … ${str(d.step).padEnd(12)} ${str(d.skill)}${t}`;
    case 'step_finished': {
      const status = str(d.status);
      const extra =
        status === 'waiting_approval'
          ? ` waiting for approval ${str(d.approval)}`
          : status === 'failed'
            ? ` failed: ${str(d.error)}`
            : status === 'reused'
              ? ' reused from an earlier plan'
              : '';
      return `  ${STEP_MARK[status] ?? '·'} ${str(d.step).padEnd(12)} ${str(d.skill)}${extra}${t}`;
    }
    case 'waiting_approval':
      return `⏸ paused: waiting for ${((d.approvals as unknown[]) ?? []).length} approval(s)${t}`;
    case 'resumed':
      return `⟳ resumed (plan v${str(d.plan_version)})${t}`;
    case 'critic_verdict':
      return `${d.verdict === 'approve' ? '✓' : '!'} critic round ${str(d.round)}: ${str(d.verdict)}${d.verdict === 'approve' ? '' : ` — ${str(d.summary)}`}${t}`;
    case 'model_call': {
      const tokens =
        d.status === 'ok'
          ? ` ${str(d.inputTokens)}/${str(d.outputTokens)} tok $${Number(d.usd ?? 0).toFixed(5)}`
          : '';
      return `  · ${str(d.role)} ${str(d.model)} ${str(d.status)}${d.errorCode ? ` (${str(d.errorCode)})` : ''}${tokens}${t}`;
    }
    case 'agent_finished':
      return `${d.status === 'succeeded' ? '✓' : '■'} ${str(d.status)}${d.error ? ` (${str(d.error)})` : ''}${t}`;
    default:
      return undefined;
  }
}
