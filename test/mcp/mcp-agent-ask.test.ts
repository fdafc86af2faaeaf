import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { type ElicitRequest, ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentLoopFor } from '../../src/agents/app-agent-loop.js';
import { getApproval } from '../../src/core/approvals/approval-store.js';
import { createTestApp } from '../helpers/test-app.js';
import { connectInMemory } from './helpers/mcp-fixtures.js';

type App = Awaited<ReturnType<typeof createTestApp>>;

interface AskView {
  agent_run_id: string;
  status: string;
  answer: string | null;
  statements: { text: string; steps: string[] }[];
  steps: { step: string; skill: string; status: string; run_id: string | null; approval_id: string | null }[];
  approvals: { approval_id: string; skill: string; step: string }[];
  how_to_decide?: string;
  note?: string;
}

function textOf(r: unknown): string {
  return ((r as { content: { text: string }[] }).content ?? []).map((c) => c.text).join('\n');
}

const viewOf = (r: unknown) => (r as { structuredContent: AskView }).structuredContent;

describe('the MCP "ask" tool runs the agent loop', () => {
  let app: App;
  const clients: Client[] = [];
  const connect = async (who: string, capabilities = {}) => {
    const c = await connectInMemory(app, app.as(who), capabilities);
    clients.push(c);
    return c;
  };
  const customersIn = async (city: string) =>
    (await app.db.query('SELECT 1 FROM demo.customers WHERE city = $1', [city])).rowCount;

  beforeAll(async () => {
    // Medium-risk writes need approval too, so an approver may approve their own step in a form.
    app = await createTestApp({ seed: true, config: { approval: { require_for_risk: ['medium', 'high'] } } });
  }, 60_000);
  afterAll(async () => {
    for (const c of clients) await c.close();
    await app?.close();
  });

  it('answers with statements citing the steps, and runs_get returns the agent run', async () => {
    const alice = await connect('alice');
    const r = await alice.callTool({ name: 'ask', arguments: { query: 'who is our contact at Globex?' } });
    expect(r.isError).toBeFalsy();
    const v = viewOf(r);
    expect(v.status).toBe('succeeded');
    expect(v.agent_run_id).toMatch(/^agt_/);
    expect(v.steps).toEqual([
      expect.objectContaining({
        step: 's1',
        skill: 'crm.find_customer',
        status: 'succeeded',
        run_id: expect.any(String),
      }),
    ]);
    expect(v.statements.length).toBeGreaterThan(0);
    expect(v.statements[0].steps).toContain('s1');
    expect(v.answer).toContain('Globex');
    expect(textOf(r)).toContain('Globex');
    expect(r._meta?.['skillgate/agent_run']).toBe(v.agent_run_id);

    const engineRun = await app.db.query<{ channel: string; request_id: string }>(
      'SELECT channel, request_id FROM runs WHERE id = $1',
      [v.steps[0].run_id],
    );
    expect(engineRun.rows[0]).toEqual({ channel: 'agent', request_id: v.agent_run_id });
    const channel = await app.db.query<{ channel: string }>('SELECT channel FROM agent_runs WHERE id = $1', [
      v.agent_run_id,
    ]);
    expect(channel.rows[0].channel).toBe('mcp');

    const got = await alice.callTool({ name: 'runs_get', arguments: { run_id: v.agent_run_id } });
    expect(viewOf(got)).toMatchObject({
      agent_run_id: v.agent_run_id,
      status: 'succeeded',
      answer: v.answer,
    });
    const other = await connect('vic');
    const hidden = await other.callTool({ name: 'runs_get', arguments: { run_id: v.agent_run_id } });
    expect(hidden.isError).toBe(true);
    expect(textOf(hidden)).toContain('error agent.run_not_found');
  });

  it('refuses the arguments of the former router-only ask instead of ignoring them', async () => {
    const alice = await connect('alice');
    const r = await alice.callTool({
      name: 'ask',
      arguments: { query: 'delete all free tier customers in Milan', dry_run: true },
    });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toContain('error request.invalid: Invalid arguments for ask');
    expect(await customersIn('Milan')).toBeGreaterThan(0);
  });

  it('pauses for approval with the ids and how to decide, and continues when approvals_decide approves', async () => {
    // An admin whose client shows no forms: the result says how to decide.
    const local = await connect('local');
    const r = await local.callTool({
      name: 'ask',
      arguments: { query: 'delete all free tier customers in Milan' },
    });
    expect(r.isError).toBeFalsy();
    const v = viewOf(r);
    expect(v.status).toBe('waiting_approval');
    expect(v.approvals).toEqual([
      { approval_id: expect.stringMatching(/^apr_/), skill: 'crm.delete_customers', step: 's1' },
    ]);
    const approvalId = v.approvals[0].approval_id;
    expect(v.how_to_decide).toContain(`"${approvalId}"`);
    expect(v.how_to_decide).toContain('approvals_decide');
    expect(v.how_to_decide).toContain(`runs_get with run_id "${v.agent_run_id}"`);
    expect(r._meta?.['skillgate/approval']).toBe(approvalId);
    expect(await customersIn('Milan')).toBeGreaterThan(0);

    const bob = await connect('bob');
    const d = await bob.callTool({
      name: 'approvals_decide',
      arguments: { approval_id: approvalId, decision: 'approve' },
    });
    expect(d.structuredContent).toMatchObject({
      status: 'executed',
      run: { status: 'succeeded' },
      agent_run: { agent_run_id: v.agent_run_id, status: 'succeeded' },
    });
    expect(await customersIn('Milan')).toBe(0);
    const after = await local.callTool({ name: 'runs_get', arguments: { run_id: v.agent_run_id } });
    expect(viewOf(after).status).toBe('succeeded');
    expect(viewOf(after).answer).toMatch(/crm\.delete_customers: [1-9] deleted/);
  });

  it('returns the finished agent run from approvals_decide while the loop is attached too (serve)', async () => {
    const detach = agentLoopFor(app).attach();
    try {
      const local = await connect('local');
      const v = viewOf(
        await local.callTool({
          name: 'ask',
          arguments: { query: 'delete all free tier customers in Brussels' },
        }),
      );
      expect(v.status).toBe('waiting_approval');
      const bob = await connect('bob');
      const d = await bob.callTool({
        name: 'approvals_decide',
        arguments: { approval_id: v.approvals[0].approval_id, decision: 'approve' },
      });
      expect(d.structuredContent).toMatchObject({
        agent_run: { agent_run_id: v.agent_run_id, status: 'succeeded' },
      });
      expect(await customersIn('Brussels')).toBe(0);
      await agentLoopFor(app).idle();
    } finally {
      detach();
    }
  });

  it('asks an approver with the approval form for the paused step and answers after approving', async () => {
    const local = await connect('local', { elicitation: { form: {} } });
    const forms: ElicitRequest['params'][] = [];
    local.setRequestHandler(ElicitRequestSchema, async (req) => {
      forms.push(req.params);
      return { action: 'accept', content: { decision: 'approve', comment: 'paid by wire' } };
    });
    const r = await local.callTool({ name: 'ask', arguments: { query: 'mark invoice 1004 as paid' } });
    expect(r.isError).toBeFalsy();
    const v = viewOf(r);
    expect(v.status).toBe('succeeded');
    expect(forms).toHaveLength(1);
    expect(forms[0].message).toContain('(invoices.mark_paid)');
    const step = v.steps.find((s) => s.skill === 'invoices.mark_paid')!;
    expect(step.status).toBe('succeeded');
    const a = await getApproval(app.db, step.approval_id!);
    expect(a).toMatchObject({ status: 'executed' });
    expect(a?.decisions).toMatchObject([{ principal: 'local', decision: 'approve', channel: 'mcp' }]);
    const paid = await app.db.query<{ status: string }>(
      'SELECT status FROM demo.invoices WHERE number = 1004',
    );
    expect(paid.rows[0].status).toBe('paid');
  });

  it('reports a refused self-approval from the form and leaves the step waiting for someone else', async () => {
    const local = await connect('local', { elicitation: { form: {} } });
    local.setRequestHandler(ElicitRequestSchema, async () => ({
      action: 'accept',
      content: { decision: 'approve' },
    }));
    const r = await local.callTool({
      name: 'ask',
      arguments: { query: 'delete all free tier customers in Hamburg' },
    });
    const v = viewOf(r);
    expect(v.status).toBe('waiting_approval');
    expect(v.note).toContain('approval.self_approval');
    expect(textOf(r)).toContain(`waiting for approval ${v.approvals[0].approval_id}`);
  });
});
