import type { RunResult } from '../../core/run-request.js';
import { type CliContext, EXIT } from '../cli-context.js';

/** The exit code of a run: 0 succeeded or dry run, 3 waiting for approval, 1 otherwise. */
export function exitCodeOf(result: RunResult): number {
  if (result.status === 'succeeded' || result.status === 'dry_run') return EXIT.ok;
  if (result.status === 'pending_approval' || result.status === 'waiting_approval') return EXIT.pending;
  return EXIT.failed;
}

/** `error <code>: <message>` and the hint, on stderr. */
export function printErrorInfo(
  ctx: CliContext,
  error: { code: string; message: string; hint?: string },
): void {
  ctx.err(`error ${error.code}: ${error.message}`);
  if (error.hint) ctx.err(`  hint: ${error.hint}`);
}

function headline(r: RunResult): string {
  const status = r.status === 'pending_approval' ? 'pending approval' : r.status.replace('_', ' ');
  const bits = [status, r.skill ?? '(no skill)', `run ${r.runId}`, `${r.durationMs} ms`];
  if (r.costUsd > 0) bits.push(`$${r.costUsd.toFixed(4)}`);
  if (r.replayed) bits.push('(replayed: idempotency key seen before)');
  return bits.join('  ');
}

/**
 * Prints a run's result (status line, then output, preview, or approval instructions) or, with
 * `--json`, the RunResult as JSON; errors also go to stderr as `error <code>: ...`. Returns the exit code.
 */
export function printRunResult(ctx: CliContext, r: RunResult): number {
  const code = exitCodeOf(r);
  if (ctx.json) {
    ctx.printJson(r);
    if (r.error) printErrorInfo(ctx, r.error);
    return code;
  }
  if (r.error) {
    ctx.err(headline(r));
    printErrorInfo(ctx, r.error);
    if (code === EXIT.failed && r.skill) ctx.err(`  details: skillgate runs show ${r.runId}`);
    return code;
  }
  ctx.out(headline(r));
  if (r.status === 'dry_run') {
    ctx.out('preview (nothing was changed):');
    ctx.value(r.preview, '  ');
  } else if (r.approval) {
    const a = r.approval;
    const expires = new Date(a.expiresAt).toISOString();
    ctx.out(`approval ${a.id}: ${a.reason}`);
    ctx.out(`  needs ${a.quorum} approval(s) from: ${a.approverRoles.join(', ')}; expires ${expires}`);
    if (r.preview !== undefined) {
      ctx.out('preview of what will run:');
      ctx.value(r.preview, '  ');
    }
    ctx.out(`approve: skillgate approvals approve ${a.id} --as <approver>`);
    ctx.out(`deny:    skillgate approvals deny ${a.id} --as <approver>`);
  } else if (r.output !== undefined) {
    ctx.value(r.output);
  }
  return code;
}
