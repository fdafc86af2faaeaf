import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { createAgentLoop } from '../../agents/agent-loop.js';
import { agentEvalDir, loadAgentScenarios } from '../../agents/evals/agent-scenario.js';
import { EVAL_SERVICES } from '../../agents/evals/eval-services.js';
import { type AgentEvalReport, runAgentEvals } from '../../agents/evals/run-agent-evals.js';
import { createApp, type SkillgateApp } from '../../core/app.js';
import { resolvePrincipal } from '../../core/principals.js';
import { PgliteDb } from '../../db/pglite-db.js';
import { type CliContext, EXIT } from '../cli-context.js';

interface EvalAgentOptions {
  dir?: string;
  filter?: string;
  inPlace?: boolean;
  gate?: string;
}

/** A throw-away app: a fresh in-memory database, migrated and seeded, with the eval services. */
async function isolatedApp(ctx: CliContext): Promise<{ app: SkillgateApp; dispose: () => Promise<void> }> {
  const home = mkdtempSync(join(tmpdir(), 'skillgate-eval-'));
  const config = { ...ctx.config, home, services: { ...EVAL_SERVICES, ...ctx.config.services } };
  const db = await PgliteDb.open();
  const app = await createApp({
    config,
    db,
    logger: ctx.getLogger(),
    migrate: true,
    seed: true,
    watch: false,
  });
  return {
    app,
    dispose: async () => {
      await app.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

function printReport(ctx: CliContext, report: AgentEvalReport): void {
  ctx.table(
    report.scenarios.map((s) => ({
      scenario: s.id,
      kind: s.kind,
      result: s.status,
      outcome: s.outcome ?? '-',
      steps: s.steps,
      tokens: s.input_tokens + s.output_tokens,
      cost_usd: s.cost_usd.toFixed(4),
      ms: s.latency_ms,
    })),
  );
  for (const s of report.scenarios.filter((x) => x.status !== 'pass'))
    ctx.out(`${s.status} ${s.id}: ${s.reasons.join('; ')}`);
  const m = report.summary;
  ctx.out(
    `\n${report.mode} planner: ${m.passed}/${m.total - m.unavailable} passed (${(m.success_rate * 100).toFixed(1)}%), ` +
      `single-skill ${m.single.passed}/${m.single.total} (${(m.single.rate * 100).toFixed(1)}%), ` +
      `multi-step ${m.multi.passed}/${m.multi.total} (${(m.multi.rate * 100).toFixed(1)}%), ${m.unavailable} unavailable; ` +
      `${m.input_tokens + m.output_tokens} tokens, $${m.cost_usd.toFixed(4)}, ${m.avg_latency_ms} ms per scenario on average`,
  );
}

/** `skillgate eval agent [--json]`: the agent scenarios of `evals/agent/` on the configured planner. */
export function registerEvalAgentCommand(program: Command, ctx: CliContext): void {
  const evalCmd =
    program.commands.find((c) => c.name() === 'eval') ?? program.command('eval').description('Evaluations');
  evalCmd
    .command('agent')
    .description(
      'Run the agent scenarios (request -> plan -> gated runs -> answer) and report success, steps, tokens, cost, latency',
    )
    .option('--dir <dir>', 'scenario folder (default the shipped evals/agent)')
    .option('--filter <text>', 'only scenarios whose id contains this')
    .option(
      '--in-place',
      'run against the configured database instead of a fresh in-memory copy (changes its data)',
    )
    .option('--gate <rate>', 'exit 1 when the single-skill success rate is below this (0..1)')
    .addHelpText(
      'after',
      `
Runs offline (deterministic planner) unless a model is configured under \`models:\`. By default each
eval starts from a fresh in-memory database with the demo data, so scenarios that write (reminders,
payments, new customers) never touch yours.`,
    )
    .action(async (opts: EvalAgentOptions) => {
      const scenarios = loadAgentScenarios(opts.dir ? resolve(ctx.cwd, opts.dir) : agentEvalDir()).filter(
        (s) => !opts.filter || s.id.includes(opts.filter),
      );
      const env = opts.inPlace
        ? { app: await ctx.openApp(), dispose: async () => {} }
        : await isolatedApp(ctx);
      try {
        const loop = createAgentLoop(env.app);
        const report = await runAgentEvals(scenarios, {
          loop,
          registry: env.app.registry,
          principal: (id) => resolvePrincipal(env.app.config, id),
          onResult: ctx.json
            ? undefined
            : (r) => ctx.err(`  ${r.status === 'pass' ? '✓' : r.status === 'fail' ? '✗' : '-'} ${r.id}`),
        });
        if (opts.gate !== undefined && report.summary.single.rate < Number(opts.gate))
          ctx.exitCode = EXIT.failed;
        if (ctx.json) ctx.printJson(report);
        else printReport(ctx, report);
      } finally {
        await env.dispose();
      }
    });
}
