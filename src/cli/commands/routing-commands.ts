import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { SkillgateError } from '../../core/errors.js';
import {
  evaluateRouting,
  parseRoutingCases,
  type RoutingEvalReport,
} from '../../memory/routing/routing-eval.js';
import { feedbackForRun } from '../../memory/routing/routing-feedback.js';
import { type CliContext, EXIT } from '../cli-context.js';

/** CI gates of the routing eval (issue: top-1 >= 0.90, top-3 >= 0.97, OOS rejected >= 80%, <= 5% false rejections). */
export const ROUTING_GATES = {
  top1: 0.9,
  top3: 0.97,
  no_skill_recall: 0.8,
  false_rejection_rate: 0.05,
} as const;

/** The gates a report fails, as sentences (empty when it passes). */
export function failedRoutingGates(r: RoutingEvalReport): string[] {
  const out: string[] = [];
  if (r.top1 < ROUTING_GATES.top1) out.push(`top-1 ${r.top1} < ${ROUTING_GATES.top1}`);
  if (r.top3 < ROUTING_GATES.top3) out.push(`top-3 ${r.top3} < ${ROUTING_GATES.top3}`);
  if (r.out_of_scope > 0 && r.no_skill_recall < ROUTING_GATES.no_skill_recall) {
    out.push(`out-of-scope rejected ${r.no_skill_recall} < ${ROUTING_GATES.no_skill_recall}`);
  }
  if (r.false_rejection_rate > ROUTING_GATES.false_rejection_rate) {
    out.push(`in-scope wrongly rejected ${r.false_rejection_rate} > ${ROUTING_GATES.false_rejection_rate}`);
  }
  return out;
}

/** `skillgate route`, `skillgate eval routing`, `skillgate feedback`. */
export function registerRoutingCommands(program: Command, ctx: CliContext): void {
  program
    .command('route')
    .description('Show which skill a request in words would run, with the ranked alternatives')
    .argument('<query...>', 'the request')
    .action(async (words: string[]) => {
      const app = await ctx.openApp({ seed: false });
      const r = await app.engine.router!.route(words.join(' '), { principal: ctx.principal(), limit: 5 });
      if (ctx.json) return ctx.printJson(r);
      ctx.out(r.skill ? `→ ${r.skill}  (confidence ${r.confidence.toFixed(2)})` : `no skill (${r.reason})`);
      ctx.table(
        r.candidates.map((c) => ({ skill: c.skill, score: c.score.toFixed(3), ...c.signals })),
        {},
      );
    });

  const evalCmd =
    program.commands.find((c) => c.name() === 'eval') ?? program.command('eval').description('Evaluations');
  evalCmd
    .command('routing')
    .description('Route every query of a golden set (JSON lines {query, expected}) and report the metrics')
    .requiredOption('--file <file>', 'golden set, e.g. evals/routing/dev.jsonl')
    .option(
      '--gate',
      'exit 1 when the CI gates (top-1 0.90, top-3 0.97, no-skill recall 0.80, false rejections 0.05) fail',
    )
    .action(async (opts: { file: string; gate?: boolean }) => {
      const cases = parseRoutingCases(readFileSync(resolve(ctx.cwd, opts.file), 'utf8'));
      const app = await ctx.openApp({ seed: false });
      const report = await evaluateRouting(app.engine.router!, cases, ctx.principal());
      const failed = failedRoutingGates(report);
      if (opts.gate && failed.length) ctx.exitCode = EXIT.failed;
      if (ctx.json) return ctx.printJson(report);
      const { results, ...metrics } = report;
      for (const r of results.filter((x) => x.predicted !== x.expected)) {
        ctx.out(
          `miss  ${JSON.stringify(r.query)}  expected ${r.expected ?? 'no skill'}, got ${r.predicted ?? 'no skill'} (${r.confidence})`,
        );
      }
      ctx.value(metrics);
      if (failed.length) ctx.out(`gates failed: ${failed.join('; ')}`);
    });

  program
    .command('feedback')
    .description('Tell the router whether a routed run picked the right skill')
    .argument('<run-id>', 'a run that was routed from a request in words')
    .option('--expected <skill>', 'the skill that should have run ("none" if no skill should have)')
    .option('--up', 'the routing was right')
    .option('--down', 'the routing was wrong (without saying what was right)')
    .action(async (runId: string, opts: { expected?: string; up?: boolean; down?: boolean }) => {
      const app = await ctx.openApp({ seed: false });
      if (opts.expected && opts.expected !== 'none' && !app.registry.get(opts.expected)) {
        throw new SkillgateError('skill.not_found', `No skill "${opts.expected}" is loaded.`, {
          skill: opts.expected,
        });
      }
      const verdict = opts.expected ? 'wrong' : opts.up ? 'up' : opts.down ? 'down' : undefined;
      if (!verdict) throw new SkillgateError('request.invalid', 'Give --expected <skill>, --up or --down.');
      const f = await feedbackForRun(app.db, app.embedder, {
        runId,
        principal: ctx.principal(),
        verdict,
        expectedSkill: opts.expected === 'none' ? null : opts.expected,
      });
      if (ctx.json) return ctx.printJson(f);
      ctx.out(
        `feedback recorded: "${f.query}" routed to ${f.routedSkill ?? 'no skill'} — ${verdict}${opts.expected ? `, expected ${opts.expected}` : ''}`,
      );
    });
}
