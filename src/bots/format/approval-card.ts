import type { ApprovalRecord } from '../../core/approvals/approval-record.js';
import { CHAT_ACTIONS, type ChatMessage } from '../chat-message.js';
import type { Redact } from './format-error.js';
import { formatValue, relativeTime, utcMinute } from './format-value.js';

const RISK_ICON = { low: '🟢', medium: '🟠', high: '🔴' } as const;

/** The state a card shows: `pending:<approve votes>` while pending, else the approval's status. */
export function cardState(a: ApprovalRecord): string {
  return a.status === 'pending'
    ? `pending:${a.decisions.filter((d) => d.decision === 'approve').length}`
    : a.status;
}

function decidedBy(a: ApprovalRecord, decision: 'approve' | 'deny'): string {
  return a.decisions
    .filter((d) => d.decision === decision)
    .map((d) => `${d.principal} (${d.channel})`)
    .join(', ');
}

function outcomeLine(a: ApprovalRecord, now: Date): string | undefined {
  const approvers = decidedBy(a, 'approve');
  switch (a.status) {
    case 'pending':
      return approvers ? `Approved so far by ${approvers}; waiting for ${a.quorum} approvals.` : undefined;
    case 'approved':
    case 'executing':
      return `✅ Approved by ${approvers}: running now.`;
    case 'executed':
      return `✅ Approved by ${approvers}: executed.`;
    case 'failed':
      return `⚠️ Approved by ${approvers}, but the run failed (see the result in the thread).`;
    case 'denied':
      return `⛔ Denied by ${decidedBy(a, 'deny')}.`;
    case 'expired':
      return `⌛ Expired ${relativeTime(a.expiresAt, now)} (${utcMinute(a.expiresAt)}) before anyone decided. Ask again to retry.`;
    case 'cancelled':
      return '🚫 Cancelled.';
  }
}

/**
 * An approval card: what exactly will change (the preview), who asked, the risk, who may decide and
 * until when; Approve / Deny / Details buttons while it is pending, the outcome and who decided after.
 */
export function approvalCard(a: ApprovalRecord, now: Date, redact: Redact = (t) => t): ChatMessage {
  const pending = a.status === 'pending';
  const outcome = outcomeLine(a, now);
  const tone = pending
    ? a.risk === 'high'
      ? 'danger'
      : 'warning'
    : a.status === 'executed'
      ? 'success'
      : 'neutral';
  return {
    text: pending
      ? `Approval needed: ${a.skillId} requested by ${a.requestedBy} (${a.risk} risk)`
      : `Approval ${a.id} for ${a.skillId}: ${a.status}`,
    title: `${pending ? '🛂 Approval needed' : 'Approval'}: ${a.skillId}`,
    tone,
    lines: [`Why: ${a.reason}.`, ...(outcome ? [outcome] : [])],
    fields: [
      { label: 'Requested by', value: `${a.requestedBy} via ${a.channel}` },
      { label: 'Risk', value: `${RISK_ICON[a.risk]} ${a.risk}` },
      {
        label: pending ? 'Expires' : 'Expiry',
        value: `${utcMinute(a.expiresAt)} (${relativeTime(a.expiresAt, now)})`,
      },
      { label: 'Who may decide', value: `${a.approverRoles.join(', ')} · ${a.quorum} needed` },
    ],
    code: { label: 'What will change', text: redact(formatValue(a.preview, 1200)) },
    footer: `approval ${a.id} · run ${a.runId}`,
    buttons: pending
      ? [
          { action: CHAT_ACTIONS.approve, value: a.id, label: 'Approve', style: 'primary' },
          { action: CHAT_ACTIONS.deny, value: a.id, label: 'Deny', style: 'danger' },
          { action: CHAT_ACTIONS.details, value: a.id, label: 'Details' },
        ]
      : [{ action: CHAT_ACTIONS.details, value: a.id, label: 'Details' }],
  };
}

/** Everything about an approval: the exact input, its hash, the full preview and every decision. */
export function approvalDetails(a: ApprovalRecord, now: Date, redact: Redact = (t) => t): ChatMessage {
  const decisions = a.decisions.length
    ? a.decisions.map(
        (d) =>
          `${d.decision === 'approve' ? '✅' : '⛔'} ${d.principal} via ${d.channel} at ${utcMinute(d.decidedAt)}${d.comment ? `: ${d.comment}` : ''}`,
      )
    : ['No decisions yet.'];
  return {
    text: `Approval ${a.id} (${a.skillId}, ${a.status})`,
    title: `Approval ${a.id}`,
    tone: 'info',
    lines: [
      `${a.skillId} v${a.skillVersion} · status ${a.status} · created ${utcMinute(a.createdAt)} · expires ${relativeTime(a.expiresAt, now)}`,
      `Input hash \`${a.inputHash.slice(0, 16)}\` (the approved input runs exactly as shown).`,
      ...decisions,
    ],
    code: {
      label: 'Input and preview',
      text: redact(formatValue({ input: a.input, preview: a.preview }, 2800)),
    },
    footer: `run ${a.runId}`,
  };
}
