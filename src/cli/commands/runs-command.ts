import type { Command } from 'commander';
import { loadAgentTrace, renderAgentTrace } from '../../agents/render-agent-trace.js';
import { SkillgateError } from '../../core/errors.js';
import { getEvents, getRun, getSteps, listRuns } from '../../core/records/run-store.js';
import type { Queryable } from '../../db/db.js';
import type { StepRecord } from '../../tools/handler.js';
import type { CliContext } from '../cli-context.js';
import { formatRunDetails, type StepNode } from '../format/format-run.js';

/** Steps of a run with, for each step that ran a child run, that child's own steps (bounded depth). */
async function stepTree(q: Queryable, steps: StepRecord[], depth: number): Promise<StepNode[]> {
  const nodes: StepNode[] = [];
  for (const step of steps) {
    const children = step.childRunId && depth > 0 ? await getSteps(q, step.childRunId) : [];
    nodes.push({ step, children: children.length ? await stepTree(q, children, depth - 1) : [] });
  }
  return nodes;
}

/** `skillgate runs list|show`. */
export function registerRunsCommand(program: Command, ctx: CliContext): void {
  const runs = program.command('runs').description('Inspect recorded runs');

  runs
    .command('list')
    .description('Most recent runs first')
    .option('--skill <id>', 'only this skill')
    .option('--user <principal>', 'only runs requested by this principal')
    .option('--status <status>', 'only this status (succeeded, failed, rejected, waiting_approval, ...)')
    .option('--limit <n>', 'at most N runs', (v) => Number.parseInt(v, 10), 20)
    .option('--steps', 'include pipeline step runs (children)')
    .action(
      async (opts: { skill?: string; user?: string; status?: string; limit: number; steps?: boolean }) => {
        const app = await ctx.openApp();
        const list = await listRuns(app.db, {
          tenant: ctx.principal().tenant,
          skillId: opts.skill,
          principal: opts.user,
          status: opts.status,
          limit: Number.isFinite(opts.limit) ? opts.limit : 20,
          topLevelOnly: !opts.steps,
        });
        if (ctx.json) return ctx.printJson(list);
        if (list.length === 0) return ctx.out('no runs');
        const rows = list.map((r) => ({
          id: r.id,
          created: new Date(r.createdAt).toISOString().slice(0, 19).replace('T', ' '),
          skill: r.skillId ?? (r.query ? `"${r.query}"` : '-'),
          user: r.principal,
          channel: r.channel,
          status: r.status,
          ms: r.durationMs ?? '',
          error: (r.error as { code?: string } | undefined)?.code ?? '',
        }));
        ctx.table(rows);
      },
    );

  runs
    .command('show')
    .description(
      'A run in detail: status, timings, input, output or error, steps, events; an agent run (agt_...) ' +
        'or a step of one: its trace (plans, steps, critic verdicts, model calls)',
    )
    .argument('<id>', 'run id or agent run id')
    .action(async (id: string) => {
      const app = await ctx.openApp();
      const tenant = ctx.principal().tenant;
      if (id.startsWith('agt_')) {
        const trace = await loadAgentTrace(app.db, id, tenant);
        if (!trace) throw new SkillgateError('agent.run_not_found', `No agent run "${id}".`, { run: id });
        if (ctx.json) return ctx.printJson(trace);
        return ctx.out(renderAgentTrace(trace, { maxWidth: ctx.width }));
      }
      const run = await getRun(app.db, id, tenant);
      if (!run) throw new SkillgateError('run.not_found', `No run "${id}".`, { run: id });
      const events = await getEvents(app.db, id);
      // Steps of an agent run are engine runs on channel `agent` whose request id is the agent run.
      const agentRunId = run.requestId.startsWith('agt_') ? run.requestId : undefined;
      const trace = agentRunId ? await loadAgentTrace(app.db, agentRunId, tenant) : undefined;
      if (ctx.json) return ctx.printJson({ ...run, events, ...(trace ? { agent: trace } : {}) });
      const tree = await stepTree(app.db, run.steps ?? [], 3);
      ctx.out(formatRunDetails(run, tree, events, { maxWidth: ctx.width }));
      if (trace)
        ctx.out(`\npart of agent run ${trace.run.id}:\n${renderAgentTrace(trace, { maxWidth: ctx.width })}`);
    });
}
