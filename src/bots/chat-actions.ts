import { getApproval } from '../core/approvals/approval-store.js';
import type { DecideResult } from '../core/engine.js';
import { SkillgateError } from '../core/errors.js';
import type { Principal } from '../core/principal.js';
import { continueAgentInThread } from './agent-in-chat.js';
import { auditChat, type ChatContext, type ChatDeps } from './chat-deps.js';
import { handleFeedback } from './chat-feedback.js';
import { CHAT_ACTIONS, type ChatActionId } from './chat-message.js';
import { approvalDetails } from './format/approval-card.js';
import { errorMessage } from './format/format-error.js';
import { noteMessage } from './format/format-lists.js';
import { resultMessage } from './format/format-result.js';
import { cardsOf } from './store/card-store.js';

/** A button click: Approve / Deny / Details on a card; 👍 / wrong skill / the right skill on a result. */
export async function handleAction(
  deps: ChatDeps,
  ctx: ChatContext,
  principal: Principal,
  action: ChatActionId,
  value: string,
): Promise<void> {
  switch (action) {
    case CHAT_ACTIONS.approve:
    case CHAT_ACTIONS.deny:
      return decide(deps, ctx, principal, value, action === CHAT_ACTIONS.approve ? 'approve' : 'deny');
    case CHAT_ACTIONS.details: {
      const a = await getApproval(deps.app.db, value, principal.tenant);
      if (!a) throw new SkillgateError('approval.not_found', `No approval "${value}".`, { approval: value });
      const msg = approvalDetails(a, deps.clock(), deps.redact);
      return ctx.replies.details ? ctx.replies.details(msg) : ctx.replies.private(msg);
    }
    case CHAT_ACTIONS.feedbackUp:
    case CHAT_ACTIONS.feedbackWrong:
    case CHAT_ACTIONS.feedbackPick:
      return handleFeedback(deps, ctx, principal, action, value);
  }
}

/**
 * Decides through the engine (which enforces approver roles, self-approval, quorum, expiry and runs
 * the approved input exactly once). A refusal is answered privately and audited; a decision
 * updates every card of the approval and posts the result in the requester's thread.
 */
async function decide(
  deps: ChatDeps,
  ctx: ChatContext,
  principal: Principal,
  approvalId: string,
  decision: 'approve' | 'deny',
): Promise<void> {
  let outcome: DecideResult;
  try {
    outcome = await deps.app.engine.decide({ approvalId, principal, decision, channel: deps.platform });
  } catch (err) {
    if (!(err instanceof SkillgateError)) throw err;
    await auditChat(deps, principal, 'approval.decision_refused', {
      approval: approvalId,
      decision,
      error: err.code,
    });
    await ctx.replies.private(errorMessage(err, deps.redact, 'Refused'));
    await deps.cards.sync(approvalId);
    return;
  }
  await deps.cards.sync(approvalId, outcome.run);
  // A step of an agent run waited on it: continue the run and post its answer in the thread.
  await continueAgentInThread(deps, approvalId);
  // Decided from a list (no card of it here): tell the decider how it ended.
  if ((await cardsOf(deps.app.db, approvalId, deps.platform)).length === 0) {
    await ctx.replies.private(
      outcome.run
        ? resultMessage(outcome.run, { redact: deps.redact })
        : noteMessage(
            `Approval ${approvalId}: ${decision} by ${principal.id} recorded (${outcome.approval.status}).`,
          ),
    );
  }
}
