import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { ElicitRequestFormParams, RequestId } from '@modelcontextprotocol/sdk/types.js';
import type { Engine } from '../core/engine.js';
import { SkillgateError } from '../core/errors.js';
import type { Principal } from '../core/principal.js';
import type { RunResult } from '../core/run-request.js';
import { textOf } from './tool-result.js';

export interface ElicitApprovalOptions {
  server: Server;
  engine: Engine;
  principal: Principal;
  /** A `pending_approval` result of `engine.run`. */
  result: RunResult;
  relatedRequestId: RequestId;
  signal: AbortSignal;
  timeoutMs: number;
}

export type ElicitApprovalOutcome =
  /** The decision was recorded; `run` is set when it completed the quorum and the run executed. */
  | { kind: 'decided'; decision: 'approve' | 'deny'; run?: RunResult; status: string; votes: number }
  /** Nothing was recorded: why (not asked, dismissed, refused by the rules, no answer in time). */
  | { kind: 'not_decided'; note: string };

const FORM_SCHEMA: ElicitRequestFormParams['requestedSchema'] = {
  type: 'object',
  properties: {
    decision: {
      type: 'string',
      title: 'Decision',
      description: 'approve runs it exactly as previewed; deny cancels it',
      enum: ['approve', 'deny'],
    },
    comment: {
      type: 'string',
      title: 'Comment',
      description: 'Optional, kept with your decision',
      maxLength: 500,
    },
  },
  required: ['decision'],
};

/** Whether the client can show a form and the principal holds a role that may decide this approval. */
export function canElicitApproval(server: Server, principal: Principal, result: RunResult): boolean {
  const roles = result.approval?.approverRoles ?? [];
  return (
    server.getClientCapabilities()?.elicitation?.form !== undefined &&
    principal.roles.some((r) => roles.includes(r))
  );
}

function formMessage(result: RunResult, skillTitle: string, principal: Principal): string {
  const a = result.approval!;
  const preview = textOf(result.preview ?? null);
  return [
    `Approve running "${skillTitle}" (${result.skill})?`,
    `Why approval: ${a.reason}. Requested by ${principal.id}.`,
    `What will happen:\n${preview.length > 2000 ? `${preview.slice(0, 2000)}\n...` : preview}`,
    `Approval ${a.id}, expires ${new Date(a.expiresAt).toISOString()}${a.quorum > 1 ? `, needs ${a.quorum} approvers` : ''}.`,
  ].join('\n\n');
}

/**
 * Asks the user, through an elicitation form (approve / deny, optional comment), to decide an
 * approval, and records the answer as `principal` through `engine.decide` on the `mcp` channel. The
 * engine applies every rule (approver roles, no self-approval of a high-risk run, quorum): a refusal
 * comes back as `not_decided` with its code and message, and the approval stays pending for others.
 */
export async function elicitApproval(
  o: ElicitApprovalOptions,
  skillTitle: string,
): Promise<ElicitApprovalOutcome> {
  let answer: Awaited<ReturnType<Server['elicitInput']>>;
  try {
    answer = await o.server.elicitInput(
      { mode: 'form', message: formMessage(o.result, skillTitle, o.principal), requestedSchema: FORM_SCHEMA },
      { relatedRequestId: o.relatedRequestId, signal: o.signal, timeout: o.timeoutMs },
    );
  } catch (err) {
    if (o.signal.aborted) throw err;
    return { kind: 'not_decided', note: `No decision from the approval form (${(err as Error).message}).` };
  }
  if (answer.action !== 'accept' || !answer.content) {
    return {
      kind: 'not_decided',
      note: `The approval form was ${answer.action === 'decline' ? 'declined' : 'dismissed'}; nothing was decided.`,
    };
  }
  const decision = answer.content.decision === 'deny' ? 'deny' : 'approve';
  const comment =
    typeof answer.content.comment === 'string' && answer.content.comment ? answer.content.comment : undefined;
  try {
    const d = await o.engine.decide({
      approvalId: o.result.approval!.id,
      principal: o.principal,
      decision,
      comment,
      channel: 'mcp',
    });
    const votes = d.approval.decisions.filter((x) => x.decision === 'approve').length;
    return { kind: 'decided', decision, run: d.run, status: d.approval.status, votes };
  } catch (err) {
    if (err instanceof SkillgateError) {
      return {
        kind: 'not_decided',
        note: `Your ${decision} was not recorded: error ${err.code}: ${err.message}`,
      };
    }
    throw err;
  }
}
