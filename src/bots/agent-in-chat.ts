import type { AgentHost } from '../agents/agent-host.js';
import type { AgentRunResult } from '../agents/agent-types.js';
import { continueAfterDecision } from '../agents/app-agent-loop.js';
import { getApproval } from '../core/approvals/approval-store.js';
import type { ChatDeps } from './chat-deps.js';
import { agentFeedbackButtons } from './chat-feedback.js';
import type { ChatMessage, ChatPlace } from './chat-message.js';
import { errorMessage, type Redact } from './format/format-error.js';
import { formatValue } from './format/format-value.js';
import { cardsOf } from './store/card-store.js';

/**
 * An agent run for chat: the answer with the steps each statement cites (`[s1]`), a clarifying
 * question, an escalation or the error with its hint; the footer names the run and its cost. Answers,
 * escalations and errors of steps that ran carry the routing feedback buttons (`agentFeedbackButtons`).
 */
export function agentMessage(r: AgentRunResult, redact: Redact = (t) => t): ChatMessage {
  const footer = `agent run ${r.id} · ${r.mode} · ${r.durationMs} ms · $${r.costUsd.toFixed(4)}${r.replayed ? ' · replayed (same request)' : ''}`;
  const buttons = agentFeedbackButtons(r);
  const skillOf = new Map(r.steps.map((s) => [s.stepKey, s.skillId]));
  const cite = (steps: string[]) =>
    steps.length ? ` [${steps.map((s) => `${s}: ${skillOf.get(s) ?? s}`).join(', ')}]` : '';
  if (r.status === 'needs_input') {
    const q = r.question ?? 'More information is needed.';
    return { text: q, title: '❓ More information needed', tone: 'warning', lines: [redact(q)], footer };
  }
  if (r.status === 'waiting_approval') {
    const waits = r.approvals.map(
      (a) => `⏳ step ${a.stepKey} (${a.skill}) waits for approval ${a.approvalId}`,
    );
    return {
      text: `waiting for approval ${r.approvals.map((a) => a.approvalId).join(', ')}`,
      title: '⏳ Waiting for approval',
      tone: 'warning',
      lines: [...waits, 'An approver must decide the card below; the answer follows in this thread.'],
      footer,
    };
  }
  if (r.status === 'escalated') {
    const summary = r.escalation?.summary ?? 'The request needs a human.';
    return {
      text: summary,
      title: '🙋 Escalated to a human',
      tone: 'warning',
      lines: [redact(summary)],
      footer,
      buttons,
    };
  }
  if (r.status === 'succeeded') {
    const lines = r.statements.length
      ? r.statements.map((s) => redact(`${s.text}${cite(s.steps)}`))
      : [redact(r.answer ?? 'Done.')];
    const only = r.steps.length === 1 && r.steps[0]!.output !== undefined ? r.steps[0] : undefined;
    const code = only ? { code: { text: redact(formatValue(only.output)) } } : {};
    const skills = [...new Set(r.steps.map((s) => s.skillId))].join(', ') || 'Answer';
    return {
      text: redact(r.answer ?? lines.join('\n')),
      title: `✅ ${skills}`,
      tone: 'success',
      lines,
      ...code,
      footer,
      buttons,
    };
  }
  const err = errorMessage(
    r.error ?? { code: 'skill.failed', message: `The agent run ended ${r.status}.` },
    redact,
    `❌ Request ${r.status}`,
  );
  return { ...err, footer, buttons };
}

/** Posts the approval card of every approval the agent run waits for, in the requester's thread. */
export async function postAgentCards(deps: ChatDeps, r: AgentRunResult, place: ChatPlace): Promise<void> {
  for (const a of r.status === 'waiting_approval' ? r.approvals : []) {
    const approval = await getApproval(deps.app.db, a.approvalId);
    if (approval?.status === 'pending') await deps.cards.postCard(approval, place, true);
  }
}

/**
 * After a decision from chat: continues the agent run waiting on `approvalId` (if any) and posts
 * where it stands (its answer, or the cards of its next approvals) in the thread of the origin card.
 * Never throws (`continueAfterDecision` logs its failures; a failed post is logged here).
 */
export async function continueAgentInThread(deps: ChatDeps, approvalId: string): Promise<void> {
  try {
    const r = await continueAfterDecision(deps.app as AgentHost, approvalId);
    if (!r) return;
    const cards = await cardsOf(deps.app.db, approvalId, deps.platform);
    const card = cards.find((c) => c.ref.origin);
    if (!card) return;
    const place: ChatPlace = { channel: card.ref.channel, thread: card.ref.thread ?? card.ref.messageId };
    await deps.surface.post(place, agentMessage(r, deps.redact));
    await postAgentCards(deps, r, place);
  } catch (err) {
    deps.app.logger.warn({ err, approval: approvalId }, 'posting the agent run after a decision failed');
  }
}
