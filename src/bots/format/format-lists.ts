import type { ApprovalRecord } from '../../core/approvals/approval-record.js';
import type { RunRecord } from '../../core/records/run-record.js';
import type { RouteResult } from '../../core/router-port.js';
import type { Skill } from '../../tools/skill.js';
import { CHAT_ACTIONS, type ChatButton, type ChatMessage, clamp } from '../chat-message.js';
import { COMMAND_USAGE } from '../command-grammar.js';
import type { ChatIdentity } from '../store/identity-store.js';
import type { Redact } from './format-error.js';
import { formatValue, relativeTime } from './format-value.js';

const MAX_LINES = 40;

/** `/skillgate help`: the commands, mentions and where approvals appear. */
export function helpMessage(command: string, principal?: string): ChatMessage {
  return {
    text: 'Skillgate commands',
    title: 'Skillgate',
    tone: 'info',
    lines: [
      ...COMMAND_USAGE.map(
        (l) => `\`${command} ${l.split('  ')[0].trim()}\` ${l.slice(l.split('  ')[0].length).trim()}`,
      ),
      'Mention me with a request in words: I answer in a thread, and follow-ups in that thread keep its context.',
      'Risky actions wait for an approver: the card has Approve / Deny / Details buttons.',
      principal
        ? `You act as \`${principal}\`.`
        : 'Your chat account is not linked to a Skillgate principal yet.',
    ],
  };
}

/** The skill list (or the best matches of a query). */
export function skillsMessage(skills: Skill[], query?: string, route?: RouteResult): ChatMessage {
  const byId = new Map(skills.map((s) => [s.id, s]));
  const shown = route
    ? route.candidates.flatMap((c) => (byId.has(c.skill) ? [byId.get(c.skill)!] : [])).slice(0, 8)
    : skills;
  const lines = shown
    .slice(0, MAX_LINES)
    .map(
      (s) =>
        `\`${s.id}\` ${s.spec.risk === 'high' ? '🔴' : s.spec.risk === 'medium' ? '🟠' : '🟢'} ${clamp(s.spec.title, 80)}`,
    );
  if (shown.length > MAX_LINES) lines.push(`… and ${shown.length - MAX_LINES} more (add a query to narrow).`);
  return {
    text: query ? `Skills matching "${clamp(query, 60)}"` : `${skills.length} skills`,
    title: query ? `Skills matching "${clamp(query, 60)}"` : `Skills (${skills.length})`,
    tone: 'info',
    lines: lines.length ? lines : ['No skill matches; try other words.'],
  };
}

/** Pending approvals, each with its buttons (decisions refresh every card of the approval). */
export function approvalsMessage(list: ApprovalRecord[], now: Date): ChatMessage {
  if (list.length === 0)
    return {
      text: 'No pending approvals.',
      tone: 'info',
      title: 'Approvals',
      lines: ['Nothing waits for a decision.'],
    };
  const shown = list.slice(0, 5);
  const buttons: ChatButton[] = shown.flatMap((a) => [
    {
      action: CHAT_ACTIONS.approve,
      value: a.id,
      label: `Approve ${a.id.slice(-6)}`,
      style: 'primary' as const,
    },
    { action: CHAT_ACTIONS.deny, value: a.id, label: `Deny ${a.id.slice(-6)}`, style: 'danger' as const },
    { action: CHAT_ACTIONS.details, value: a.id, label: `Details ${a.id.slice(-6)}` },
  ]);
  return {
    text: `${list.length} pending approvals`,
    title: `Pending approvals (${list.length})`,
    tone: 'warning',
    lines: list
      .slice(0, MAX_LINES)
      .map(
        (a) =>
          `\`${a.id}\` ${a.skillId} · ${a.risk} risk · by ${a.requestedBy} · expires ${relativeTime(a.expiresAt, now)}`,
      ),
    buttons,
  };
}

/** `/skillgate status <run>`. */
export function runStatusMessage(run: RunRecord, redact: Redact = (t) => t): ChatMessage {
  const err = run.error as { code?: string; message?: string } | undefined;
  return {
    text: `Run ${run.id}: ${run.status}`,
    title: `Run ${run.id}`,
    tone:
      run.status === 'succeeded'
        ? 'success'
        : run.status === 'failed' || run.status === 'rejected'
          ? 'danger'
          : 'info',
    fields: [
      { label: 'Skill', value: run.skillId ?? '(none)' },
      { label: 'Status', value: run.status },
      { label: 'By', value: `${run.principal} via ${run.channel}` },
      { label: 'Duration', value: run.durationMs != null ? `${run.durationMs} ms` : '-' },
    ],
    lines: [
      ...(run.approvalId ? [`Approval \`${run.approvalId}\``] : []),
      ...(err?.code ? [`\`${err.code}\` ${clamp(redact(String(err.message ?? '')), 300)}`] : []),
    ],
    code:
      run.output !== undefined && run.output !== null ? { text: redact(formatValue(run.output)) } : undefined,
  };
}

export function identitiesMessage(list: ChatIdentity[]): ChatMessage {
  return {
    text: `${list.length} linked chat users`,
    title: 'Linked chat users',
    tone: 'info',
    lines: list.length
      ? list
          .slice(0, MAX_LINES)
          .map((i) => `\`${i.platform}:${i.userId}\` → \`${i.principalId}\` (${i.tenant}, by ${i.linkedBy})`)
      : ['Nobody is linked yet: `users link <user> <principal>`.'],
  };
}

/** A plain informational message. */
export function noteMessage(text: string, tone: ChatMessage['tone'] = 'info'): ChatMessage {
  return { text, tone, lines: [text] };
}
