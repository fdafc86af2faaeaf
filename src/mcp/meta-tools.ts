import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { resultOf } from '../agents/agent-result.js';
import { continueAfterDecision } from '../agents/app-agent-loop.js';
import { getAgentRun } from '../agents/store/agent-store.js';
import { getApproval, listApprovals } from '../core/approvals/approval-store.js';
import { SkillgateError, toSkillgateError } from '../core/errors.js';
import { getRun } from '../core/records/run-store.js';
import { agentRunToolResult, agentRunView, askThroughAgent } from './agent-ask.js';
import type { ToolCallEnv } from './call-through-engine.js';
import { approvalView, mayReadApproval, mayReadRun, oversees, runView } from './record-views.js';
import { isToolVisible, toolNamesOf } from './skill-tools.js';
import { errorResult, successResult } from './tool-result.js';

/** A tool that is not a skill: routing, approvals and runs. */
export interface MetaTool {
  tool: Tool;
  run(args: Record<string, unknown>, env: ToolCallEnv): Promise<CallToolResult>;
}

const SearchSchema = z.object({
  query: z.string().min(1).max(1000).describe('What you want to do, in words'),
  limit: z.number().int().min(1).max(20).default(5).describe('How many skills to return (default 5)'),
});
// Strict: `input` and `dry_run` of the former router-only `ask` are refused, never silently ignored.
const AskSchema = z.strictObject({
  query: z
    .string()
    .min(1)
    .max(4000)
    .describe('The request in words, e.g. "remind ACME about invoice 42", with every value it needs'),
});
const ListSchema = z.object({
  status: z.enum(['pending', 'all']).default('pending'),
  limit: z.number().int().min(1).max(100).default(20),
});
const DecideSchema = z.object({
  approval_id: z.string().min(1),
  decision: z.enum(['approve', 'deny']),
  comment: z.string().max(500).optional(),
});
const RunSchema = z.object({ run_id: z.string().min(1) });

function inputSchemaOf(schema: z.ZodType): Tool['inputSchema'] {
  const { $schema: _ignored, ...json } = z.toJSONSchema(schema, { io: 'input' }) as Record<string, unknown>;
  return json as Tool['inputSchema'];
}

function define<S extends z.ZodType>(
  tool: Omit<Tool, 'inputSchema'>,
  schema: S,
  run: (args: z.infer<S>, env: ToolCallEnv) => Promise<CallToolResult>,
): MetaTool {
  return {
    tool: { ...tool, inputSchema: inputSchemaOf(schema) },
    async run(args, env) {
      const parsed = schema.safeParse(args);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        return errorResult(
          new SkillgateError(
            'request.invalid',
            `Invalid arguments for ${tool.name}: ${issue.path.join('.') || '(root)'}: ${issue.message}`,
          ),
        );
      }
      try {
        return await run(parsed.data, env);
      } catch (err) {
        return errorResult(toSkillgateError(err));
      }
    },
  };
}

const skillsSearch = define(
  {
    name: 'skills_search',
    title: 'Find skills',
    description:
      'Finds the skills that match a request in words, ranked, with the router\'s confidence. Use it to pick a tool; "ask" runs the best match directly.',
    annotations: { readOnlyHint: true, openWorldHint: false },
  },
  SearchSchema,
  async (args, env) => {
    const router = env.app.engine.router;
    if (!router) throw new SkillgateError('skill.not_found', 'No router is configured on this server.');
    const route = await router.route(args.query, {
      principal: env.principal,
      limit: Math.max(args.limit, 10),
    });
    const names = toolNamesOf(env.app.registry);
    const visible = route.candidates.filter((c) => {
      const s = env.app.registry.get(c.skill);
      return s !== undefined && isToolVisible(env.app.config, env.principal, s);
    });
    const candidates = visible.slice(0, args.limit).map((c) => ({
      skill: c.skill,
      tool: names.nameOf(c.skill) ?? null,
      title: env.app.registry.get(c.skill)?.spec.title ?? c.skill,
      score: Number(c.score.toFixed(4)),
    }));
    const chosen = route.skill && visible.some((c) => c.skill === route.skill) ? route.skill : null;
    return successResult(
      {
        query: args.query,
        best: chosen ? { skill: chosen, tool: names.nameOf(chosen) ?? null } : null,
        confidence: Number(route.confidence.toFixed(4)),
        reason: route.reason,
        candidates,
      },
      true,
    );
  },
);

const ask = define(
  {
    name: 'ask',
    title: 'Ask in words',
    description:
      "Does what a request in words asks: the agent plans it into one or more skills, runs each through the engine with every gate (policy, budget, approval, audit), checks the results and answers with statements citing the steps. Risky steps wait for approval: the result lists the approval ids and how to decide, and the run continues once they are decided. For a dry run or exact input, call the skill's own tool (skills_search finds it).",
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
  },
  AskSchema,
  (args, env) => askThroughAgent(env, args.query),
);

const approvalsList = define(
  {
    name: 'approvals_list',
    title: 'List approvals',
    description:
      'Lists approvals you may decide or that you requested (pending ones unless status is "all"), with what each would do.',
    annotations: { readOnlyHint: true, openWorldHint: false },
  },
  ListSchema,
  async (args, env) => {
    const list = await listApprovals(env.app.db, {
      tenant: env.principal.tenant,
      status: args.status,
      limit: oversees(env.app.config, env.principal) ? args.limit : 200,
    });
    const mine = list.filter((a) => mayReadApproval(env.principal, a)).slice(0, args.limit);
    return successResult({ approvals: mine.map(approvalView) }, true);
  },
);

const approvalsDecide = define(
  {
    name: 'approvals_decide',
    title: 'Decide an approval',
    description:
      'Approves or denies a pending approval as you. The rules apply: you need an approver role, and nobody approves their own high-risk run. When the approval completes, the run executes and its result is returned.',
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
  },
  DecideSchema,
  async (args, env) => {
    const d = await env.app.engine.decide({
      approvalId: args.approval_id,
      principal: env.principal,
      decision: args.decision,
      comment: args.comment,
      channel: 'mcp',
    });
    const a = d.approval;
    // An agent run paused on this approval continues now (on whichever surface it was decided).
    const agent = a.status === 'pending' ? undefined : await continueAfterDecision(env.app, a.id);
    return successResult(
      {
        approval_id: a.id,
        status: a.status,
        votes: a.decisions.filter((x) => x.decision === 'approve').length,
        quorum: a.quorum,
        run: d.run
          ? {
              run_id: d.run.runId,
              status: d.run.status,
              output: d.run.output ?? null,
              error: d.run.error ?? null,
            }
          : null,
        ...(agent ? { agent_run: agentRunView(agent) } : {}),
      },
      true,
    );
  },
);

const runsGet = define(
  {
    name: 'runs_get',
    title: 'Get a run',
    description:
      "Returns a run: status, steps, output or error, cost. Use it after an approval to get the outcome. An agent run id (agt_...) returns the agent's answer, steps and pending approvals.",
    annotations: { readOnlyHint: true, openWorldHint: false },
  },
  RunSchema,
  async (args, env) => {
    if (args.run_id.startsWith('agt_')) {
      const agent = await getAgentRun(env.app.db, args.run_id, env.principal.tenant);
      if (!agent || (agent.principal !== env.principal.id && !oversees(env.app.config, env.principal))) {
        throw new SkillgateError('agent.run_not_found', `No agent run "${args.run_id}" that you may see.`, {
          run: args.run_id,
        });
      }
      return agentRunToolResult(await resultOf(env.app.db, agent));
    }
    const run = await getRun(env.app.db, args.run_id, env.principal.tenant);
    if (!run || !mayReadRun(env.app.config, env.principal, run)) {
      throw new SkillgateError('run.not_found', `No run "${args.run_id}" that you may see.`, {
        run: args.run_id,
      });
    }
    const view = runView(run);
    if (run.approvalId) {
      const a = await getApproval(env.app.db, run.approvalId, run.tenant);
      if (a) view.approval = { status: a.status, votes: approvalView(a).votes, quorum: a.quorum };
    }
    return successResult(view, true);
  },
);

/** The meta tools, in listing order. */
export const META_TOOLS: readonly MetaTool[] = [skillsSearch, ask, approvalsList, approvalsDecide, runsGet];
