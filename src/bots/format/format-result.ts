import type { RunResult } from '../../core/run-request.js';
import { CHAT_ACTIONS, type ChatMessage } from '../chat-message.js';
import { errorMessage, type Redact } from './format-error.js';
import { formatValue } from './format-value.js';

export interface ResultMessageOptions {
  /** Offer 👍 / wrong-skill buttons (runs routed from words). Default false. */
  feedback?: boolean;
  redact?: Redact;
}

/** A finished run for chat: what ran, how it ended, its output (or its error with the hint). */
export function resultMessage(result: RunResult, options: ResultMessageOptions = {}): ChatMessage {
  const skill = result.skill ?? 'request';
  const redact = options.redact ?? ((t: string) => t);
  const feedback = options.feedback
    ? [
        { action: CHAT_ACTIONS.feedbackUp, value: result.runId, label: '👍 Right skill' },
        { action: CHAT_ACTIONS.feedbackWrong, value: result.runId, label: '👎 Wrong skill' },
      ]
    : [];
  const footer = `run ${result.runId} · ${result.durationMs} ms${result.replayed ? ' · replayed (same request)' : ''}`;
  if (result.status === 'succeeded' || result.status === 'dry_run') {
    return {
      text: `${skill} ${result.status === 'dry_run' ? 'dry run' : 'done'}`,
      title: `✅ ${skill}`,
      tone: 'success',
      code: { text: redact(formatValue(result.status === 'dry_run' ? result.preview : result.output)) },
      footer,
      buttons: feedback,
    };
  }
  if (result.status === 'pending_approval') {
    return {
      text: `${skill} waits for approval ${result.approval?.id ?? ''}`.trim(),
      title: `⏳ ${skill} waits for approval`,
      tone: 'warning',
      lines: ['An approver must decide the card below before it runs.'],
      footer,
    };
  }
  const err = errorMessage(
    result.error ?? { code: 'skill.failed', message: `The run ended ${result.status}.` },
    redact,
    `❌ ${skill} ${result.status}`,
  );
  return { ...err, footer, buttons: result.status === 'rejected' && result.skill ? feedback : [] };
}

/** The one-line status a status message ends with. */
export function finalStatusLine(result: RunResult): ChatMessage {
  const skill = result.skill ?? 'request';
  const icon =
    result.status === 'succeeded'
      ? '✅'
      : result.status === 'pending_approval'
        ? '⏳'
        : result.status === 'dry_run'
          ? '🔎'
          : '❌';
  const what =
    result.status === 'pending_approval'
      ? `waits for approval ${result.approval?.id ?? ''}`.trim()
      : result.status === 'succeeded'
        ? `done in ${result.durationMs} ms`
        : result.status;
  return { text: `${icon} ${skill}: ${what}`, tone: 'neutral' };
}
