import type { Command } from 'commander';
import type { AgentRunResult } from '../../agents/agent-types.js';
import { continueAfterDecision } from '../../agents/app-agent-loop.js';
import type { ApprovalRecord } from '../../core/approvals/approval-record.js';
import { getApproval, listApprovals } from '../../core/approvals/approval-store.js';
import { SkillgateError } from '../../core/errors.js';
import type { CliContext } from '../cli-context.js';
import { exitCodeOf, printRunResult } from '../format/print-run-result.js';

function minute(d: Date | null | undefined): string {
  return d ? new Date(d).toISOString().slice(0, 16).replace('T', ' ') : '';
}

function approvalRow(a: ApprovalRecord) {
  const approvals = a.decisions.filter((d) => d.decision === 'approve').length;
  return {
    id: a.id,
    skill: a.skillId,
    requested_by: a.requestedBy,
    risk: a.risk,
    status: a.status,
    votes: `${approvals}/${a.quorum}`,
    created: minute(a.createdAt),
    expires: minute(a.expiresAt),
  };
}

/** What became of the agent run that waited on the decided approval. */
function printAgentRun(ctx: CliContext, r: AgentRunResult): void {
  ctx.out(`agent run ${r.id} continued: ${r.status}`);
  if (r.status === 'needs_input' && r.question) ctx.out(r.question);
  else if (r.answer) ctx.out(r.answer);
  for (const a of r.status === 'waiting_approval' ? r.approvals : []) {
    ctx.out(`waiting for approval ${a.approvalId} (${a.skill}, step ${a.stepKey})`);
  }
  if (r.error) ctx.err(`error ${r.error.code}: ${r.error.message}`);
}

/** `skillgate approvals list|approve|deny`. */
export function registerApprovalsCommand(program: Command, ctx: CliContext): void {
  const approvals = program.command('approvals').description('List and decide approvals');

  approvals
    .command('list')
    .description('List pending approvals (every status with --all)')
    .option('--all', 'include decided, expired and executed approvals')
    .option('--limit <n>', 'most recent N', (v) => Number.parseInt(v, 10), 50)
    .action(async (opts: { all?: boolean; limit: number }) => {
      const app = await ctx.openApp();
      const principal = ctx.principal();
      const list = await listApprovals(app.db, {
        tenant: principal.tenant,
        status: opts.all ? 'all' : 'pending',
        limit: opts.limit,
      });
      if (ctx.json) return ctx.printJson(list);
      if (list.length === 0) return ctx.out(opts.all ? 'no approvals' : 'no pending approvals');
      ctx.table(list.map(approvalRow));
    });

  const decide = (decision: 'approve' | 'deny') => async (id: string, opts: { comment?: string }) => {
    const app = await ctx.openApp();
    const principal = ctx.principal();
    const { approval, run } = await app.engine.decide({
      approvalId: id,
      principal,
      decision,
      comment: opts.comment,
      channel: 'cli',
    });
    // An agent run paused on this approval continues here (no other process may be listening).
    const agent = approval.status === 'pending' ? undefined : await continueAfterDecision(app, approval.id);
    if (ctx.json) {
      ctx.printJson({ approval, ...(run ? { run } : {}), ...(agent ? { agent_run: agent } : {}) });
      if (run) ctx.exitCode = exitCodeOf(run);
      return;
    }
    if (decision === 'deny') {
      ctx.out(
        `approval ${approval.id} denied by ${principal.id}: run ${approval.runId} of ${approval.skillId} will not execute`,
      );
      if (agent) printAgentRun(ctx, agent);
      return;
    }
    if (!run) {
      const votes = approval.decisions.filter((d) => d.decision === 'approve').length;
      ctx.out(
        `approval ${approval.id}: ${principal.id} approved (${votes} of ${approval.quorum}); waiting for more approvers`,
      );
      if (approval.status === 'approved') ctx.out('the run was already started by another process');
      return;
    }
    ctx.out(`approval ${approval.id} approved by ${principal.id}; ran ${approval.skillId}:`);
    ctx.exitCode = printRunResult(ctx, run);
    if (agent) printAgentRun(ctx, agent);
  };

  for (const decision of ['approve', 'deny'] as const) {
    approvals
      .command(decision)
      .description(
        decision === 'approve'
          ? 'Approve a pending run (runs it when the quorum is met)'
          : 'Deny a pending run',
      )
      .argument('<id>', 'approval id')
      .option('--comment <text>', 'a note recorded with the decision')
      .action(decide(decision));
  }

  approvals
    .command('show')
    .description('Show an approval: what exactly will run, and who decided')
    .argument('<id>', 'approval id')
    .action(async (id: string) => {
      const app = await ctx.openApp();
      const a = await getApproval(app.db, id, ctx.principal().tenant);
      if (!a) throw new SkillgateError('approval.not_found', `No approval "${id}".`, { approval: id });
      if (ctx.json) return ctx.printJson(a);
      ctx.value({ ...approvalRow(a), run: a.runId, reason: a.reason, approver_roles: a.approverRoles });
      ctx.out('input:');
      ctx.value(a.input, '  ');
      ctx.out('preview:');
      ctx.value(a.preview, '  ');
      if (a.decisions.length) {
        ctx.out('decisions:');
        ctx.value(
          a.decisions.map((d) => ({ ...d, decidedAt: minute(d.decidedAt) })),
          '  ',
        );
      }
    });
}
