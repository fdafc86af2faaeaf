import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { SkillgateError } from '../core/errors.js';
import type { RunErrorInfo, RunResult } from '../core/run-request.js';

const MAX_TEXT = 100_000;

/** Text for a value: strings as they are, anything else as indented JSON (cut at 100k characters). */
export function textOf(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value, null, 2) ?? 'null');
  return text.length > MAX_TEXT
    ? `${text.slice(0, MAX_TEXT)}\n... (${text.length - MAX_TEXT} more characters)`
    : text;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A failure the model should see: `isError: true`, the code, message and hint. */
export function errorResult(err: RunErrorInfo | SkillgateError, runId?: string): CallToolResult {
  const lines = [`error ${err.code}: ${err.message}`, `hint: ${err.hint}`];
  if (runId) lines.push(`run: ${runId}`);
  return {
    isError: true,
    content: [{ type: 'text', text: lines.join('\n') }],
    _meta: { 'skillgate/error': err.code, ...(runId ? { 'skillgate/run': runId } : {}) },
  };
}

/** A successful result: the output as text, and as `structuredContent` when the tool declares it. */
export function successResult(value: unknown, structured: boolean, runId?: string): CallToolResult {
  const result: CallToolResult = {
    content: [{ type: 'text', text: textOf(value ?? null) }],
    ...(runId ? { _meta: { 'skillgate/run': runId } } : {}),
  };
  if (structured && isPlainObject(value)) result.structuredContent = value;
  return result;
}

export interface ApprovalRequiredInfo {
  result: RunResult;
  /** What happened with an elicitation, if one was tried (a refusal, a partial quorum, no answer). */
  note?: string;
}

/**
 * The normal (not error) result of a call that waits for approval:
 * `{status: "approval_required", approval_id, run_id, preview, expires_at, how_to_decide}`.
 */
export function approvalRequiredResult({ result, note }: ApprovalRequiredInfo): CallToolResult {
  const a = result.approval!;
  const how =
    `Someone with the role ${a.approverRoles.join(' or ')} (not the requester, for a high-risk run) ` +
    `decides it: the MCP tool approvals_decide with approval_id "${a.id}", ` +
    `\`skillgate approvals approve ${a.id}\`, or the approval card in chat. ` +
    `The run continues as soon as it is approved${a.quorum > 1 ? ` by ${a.quorum} approvers` : ''}; ` +
    `runs_get with run_id "${result.runId}" returns the outcome.`;
  const structured: Record<string, unknown> = {
    status: 'approval_required',
    approval_id: a.id,
    run_id: result.runId,
    skill: result.skill,
    preview: result.preview ?? null,
    expires_at: new Date(a.expiresAt).toISOString(),
    approver_roles: a.approverRoles,
    quorum: a.quorum,
    reason: a.reason,
    how_to_decide: how,
  };
  if (note) structured.note = note;
  const text = [
    `Approval required before ${result.skill} runs (${a.reason}).`,
    ...(note ? [note] : []),
    `approval: ${a.id} (expires ${structured.expires_at})`,
    `preview: ${textOf(result.preview ?? null)}`,
    how,
  ].join('\n');
  return {
    content: [{ type: 'text', text }],
    structuredContent: structured,
    _meta: { 'skillgate/run': result.runId, 'skillgate/approval': a.id },
  };
}

/** Maps an engine result to a tool result (approval handled by the caller first). */
export function runResultToToolResult(result: RunResult, structured: boolean): CallToolResult {
  const mapped = mapRunResult(result, structured);
  if (result.skill) mapped._meta = { ...mapped._meta, 'skillgate/skill': result.skill };
  return mapped;
}

function mapRunResult(result: RunResult, structured: boolean): CallToolResult {
  switch (result.status) {
    case 'succeeded':
      return successResult(result.output, structured, result.runId);
    case 'dry_run':
      return successResult({ dry_run: true, preview: result.preview ?? null }, false, result.runId);
    case 'pending_approval':
    case 'waiting_approval':
      if (result.approval) return approvalRequiredResult({ result });
      return successResult({ status: result.status, run_id: result.runId }, false, result.runId);
    default:
      if (result.error) return errorResult(result.error, result.runId);
      return {
        isError: true,
        content: [{ type: 'text', text: `The run ended ${result.status}.\nrun: ${result.runId}` }],
        _meta: { 'skillgate/run': result.runId },
      };
  }
}
