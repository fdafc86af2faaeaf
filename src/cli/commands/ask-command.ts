import type { Command } from 'commander';
import { createAgentLoop } from '../../agents/agent-loop.js';
import type { AgentRunResult } from '../../agents/agent-types.js';
import { formatAgentEvent } from '../../agents/format-agent-event.js';
import { loadAgentTrace, renderAgentTrace } from '../../agents/render-agent-trace.js';
import { SkillgateError } from '../../core/errors.js';
import { type CliContext, EXIT } from '../cli-context.js';

interface AskOptions {
  resume?: string;
  show?: string;
  trace?: boolean;
  quiet?: boolean;
}

function exitCodeOf(r: AgentRunResult): number {
  if (r.status === 'succeeded') return EXIT.ok;
  if (r.status === 'waiting_approval') return EXIT.pending;
  return EXIT.failed;
}

function printResult(ctx: CliContext, r: AgentRunResult): void {
  if (r.status === 'needs_input') {
    ctx.out(r.question ?? 'More information is needed.');
    return;
  }
  if (r.answer) ctx.out(r.answer);
  if (r.status === 'waiting_approval') {
    for (const a of r.approvals) {
      ctx.out(`waiting for approval ${a.approvalId} (${a.skill}, step ${a.stepKey})`);
    }
    ctx.out(`  approve with: skillgate approvals approve <approval-id> --as <approver>`);
    ctx.out(`  then continue: skillgate ask --resume ${r.id}`);
  }
  if (r.status === 'escalated' && r.escalation) ctx.out(`escalated to a human: ${r.escalation.summary}`);
  if (r.error) ctx.err(`error ${r.error.code}: ${r.error.message}`);
  ctx.err(
    `agent run ${r.id}: ${r.status} in ${(r.durationMs / 1000).toFixed(1)}s, ${r.steps.filter((s) => s.runId).length} step run(s), ${r.inputTokens + r.outputTokens} tokens, $${r.costUsd.toFixed(4)} (${r.mode})`,
  );
}

/** `skillgate ask "<request>"`: the agent loop, with live progress; `--resume`, `--show <id>`. */
export function registerAskCommand(program: Command, ctx: CliContext): void {
  program
    .command('ask')
    .description('Plan a request into skills, run them through every gate, check and answer')
    .argument('[request...]', 'what you want done, in words')
    .option('--resume <id>', 'continue an agent run paused for approval (agt_...)')
    .option('--show <id>', 'print the trace of an agent run (plans, steps, critic, model calls)')
    .option('--trace', 'print the run trace after the answer')
    .option('--quiet', 'no live progress on stderr')
    .addHelpText(
      'after',
      `
Examples:
  skillgate ask "who is our contact at Globex?"
  skillgate ask "remind everyone with an overdue invoice over 1,000 EUR"
  skillgate ask "weekly summary, then save its headline to memory" --trace
  skillgate ask --resume agt_01hx...

Without a model configured (\`models:\` in the config) the planner is deterministic and offline.
Exit codes: 0 answered, 1 failed / escalated / needs more input, 3 waiting for approval.`,
    )
    .action(async (words: string[], opts: AskOptions) => {
      const app = await ctx.openApp();
      if (opts.show) {
        const trace = await loadAgentTrace(app.db, opts.show, ctx.principal().tenant);
        if (!trace)
          throw new SkillgateError('agent.run_not_found', `No agent run "${opts.show}".`, { run: opts.show });
        if (ctx.json) return ctx.printJson(trace);
        return ctx.out(renderAgentTrace(trace, { maxWidth: ctx.width }));
      }
      const request = words.join(' ').trim();
      if (!opts.resume && !request) {
        throw new SkillgateError('request.invalid', 'Say what you want done: skillgate ask "<request>".');
      }
      const started = Date.now();
      const onEvent =
        ctx.json || opts.quiet
          ? undefined
          : (e: Parameters<typeof formatAgentEvent>[0]) => {
              const line = formatAgentEvent(e, Date.now() - started);
              if (line) ctx.err(line);
            };
      const abort = new AbortController();
      const onSignal = () => abort.abort();
      process.once('SIGINT', onSignal);
      try {
        const loop = createAgentLoop(app);
        const r = opts.resume
          ? await loop.resume(opts.resume, { onEvent, signal: abort.signal })
          : await loop.ask({
              principal: ctx.principal(),
              request,
              channel: 'cli',
              onEvent,
              signal: abort.signal,
            });
        ctx.exitCode = exitCodeOf(r);
        if (ctx.json) return ctx.printJson(r);
        printResult(ctx, r);
        if (opts.trace) {
          const trace = await loadAgentTrace(app.db, r.id);
          if (trace) ctx.out(`\n${renderAgentTrace(trace, { maxWidth: ctx.width })}`);
        }
      } finally {
        process.off('SIGINT', onSignal);
      }
    });
}
