import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAgentTrace, renderAgentTrace } from '../../src/agents/render-agent-trace.js';
import { getRun } from '../../src/core/records/run-store.js';
import { approve, createAgentTestApp, scriptedLoop, scriptedModel, type TestApp } from './agent-test-kit.js';

type App = TestApp & { pair: ReturnType<typeof import('./agent-test-kit.js').pairBuiltins> };

const plan = (steps: unknown[], goal = 'do it') => ({ json: { goal, steps, rationale: 'because' } });

describe('agent loop with scripted models', () => {
  let app: App;

  beforeAll(async () => {
    app = (await createAgentTestApp({
      config: {
        models: {
          max_retries: 1,
          retry_delay_ms: 0,
          timeout: 1000,
          max_output_tokens: 1000,
          prices: {
            'planner-pricey': { input_per_1m: 10, output_per_1m: 10 },
            'critic-pricey': { input_per_1m: 10, output_per_1m: 10 },
          },
        },
        // vic's cap covers one planner call of the priced models below, not the critic after it.
        budgets: { users: { vic: { daily_usd: 0.105 } } },
      },
    })) as App;
  });
  afterAll(() => app.close());

  const engineRuns = async (agentRunId: string) =>
    (
      await app.db.query<{ skill_id: string }>('SELECT skill_id FROM runs WHERE request_id = $1', [
        agentRunId,
      ])
    ).rows.map((r) => r.skill_id);

  it('runs independent steps in parallel, then a step that needs both, and answers citing the steps', async () => {
    const planner = scriptedModel('planner-large', [
      plan([
        { id: 'a', skill: 'agenttest.left', input: {} },
        { id: 'b', skill: 'agenttest.right', input: {} },
        {
          id: 'c',
          skill: 'memory.remember',
          input: { text: 'pair is {{ steps.a.output.value }}{{ steps.b.output.value }}', key: 'pair' },
          expect: ['output.text == "pair is LR"'],
        },
      ]),
    ]);
    const critic = scriptedModel('critic', [approve()]);
    const synth = scriptedModel('synth', [
      {
        json: {
          statements: [
            { text: 'The pair is LR.', steps: ['a', 'b', 'zz'], citations: [7] },
            { text: 'It was saved to memory.', steps: ['c'] },
          ],
        },
      },
    ]);
    const events: string[] = [];
    const loop = scriptedLoop(app, { planner, critic, synthesizer: synth });
    const r = await loop.ask({
      principal: app.as('local'),
      request: 'get both halves and remember the pair',
      onEvent: (e) => events.push(e.type),
    });

    expect(r.status).toBe('succeeded');
    expect(app.pair.state.maxConcurrent).toBe(2);
    expect(r.steps.map((s) => [s.stepKey, s.status])).toEqual(
      expect.arrayContaining([
        ['a', 'succeeded'],
        ['b', 'succeeded'],
        ['c', 'succeeded'],
      ]),
    );
    const c = r.steps.find((s) => s.stepKey === 'c')!;
    expect(c.input).toEqual({ text: 'pair is LR', key: 'pair' });
    expect(c.prompt).toBe('planner@1.1.0');
    // Unknown step ids and passage numbers from the synthesizer are dropped.
    expect(r.statements).toEqual([
      { text: 'The pair is LR.', steps: ['a', 'b'], citations: [] },
      { text: 'It was saved to memory.', steps: ['c'], citations: [] },
    ]);
    expect(r.answer).toContain('The pair is LR. [a, b]');
    // Every step ran through the engine on channel agent, tied to the agent run by request id.
    expect((await engineRuns(r.id)).sort()).toEqual(['agenttest.left', 'agenttest.right', 'memory.remember']);
    const run = await getRun(app.db, c.runId!);
    expect(run?.channel).toBe('agent');
    // Three model calls, each priced and written to the ledger with its tokens.
    const ledger = await app.db.query<{ skill_id: string; model: string; input_tokens: number }>(
      `SELECT skill_id, model, input_tokens FROM budget_ledger WHERE run_id = $1 AND kind = 'llm' ORDER BY id`,
      [r.id],
    );
    expect(ledger.rows.map((x) => [x.skill_id, x.model])).toEqual([
      ['agent.planner', 'mock:planner-large'],
      ['agent.critic', 'mock:critic'],
      ['agent.synthesizer', 'mock:synth'],
    ]);
    expect(r.inputTokens).toBe(300);
    // The planner saw only routed candidates, not the whole catalogue.
    const prompt = planner.prompts()[0];
    expect(prompt).toContain('memory.remember');
    const offered = prompt.match(/\\"id\\": \\"[a-z_.]+\\"/g) ?? [];
    expect(offered.length).toBeGreaterThan(2);
    expect(offered.length).toBeLessThanOrEqual(10);
    expect(offered.length).toBeLessThan(app.registry.list({ publicOnly: true }).length);
    expect(events).toEqual(
      expect.arrayContaining([
        'agent_started',
        'plan_created',
        'step_started',
        'critic_verdict',
        'agent_finished',
      ]),
    );
    const trace = renderAgentTrace((await loadAgentTrace(app.db, r.id))!);
    expect(trace).toMatch(/plan v1\.1 \(planner@1\.1\.0, initial\) valid: 3 steps/);
    expect(trace).toMatch(/✓ c memory\.remember succeeded/);
    expect(trace).toMatch(/critic round 1 \(critic@1\.1\.0\): approve/);
  });

  it('rejects a plan naming a skill that does not exist and replans with that feedback', async () => {
    const planner = scriptedModel('planner', [
      plan([{ id: 's1', skill: 'crm.lookup_everything', input: { query: 'Globex' } }]),
      plan([{ id: 's1', skill: 'crm.find_customer', input: { company: 'Globex' } }]),
    ]);
    const r = await scriptedLoop(app, { planner }).ask({
      principal: app.as('local'),
      request: 'who is our contact at Globex?',
    });
    expect(r.status).toBe('succeeded');
    expect(planner.prompts()[1]).toContain('unknown skill \\"crm.lookup_everything\\"');
    const trace = (await loadAgentTrace(app.db, r.id))!;
    expect(trace.plans.map((p) => [p.version, p.attempt, p.valid])).toEqual([
      [1, 1, false],
      [1, 2, true],
    ]);
    expect(await engineRuns(r.id)).toEqual(['crm.find_customer']);
    expect(r.answer).toMatch(/Globex/);
  });

  it('rejects a step input that fails the skill schema, then runs the corrected plan', async () => {
    const bad = { name: 'Jane Doe', email: 'not-an-email', company: 'Hooli', city: 'Palo Alto' };
    const planner = scriptedModel('planner', [
      plan([{ id: 's1', skill: 'crm.create_customer', input: bad }]),
      plan([{ id: 's1', skill: 'crm.create_customer', input: { ...bad, email: 'jane.doe@hooli.example' } }]),
    ]);
    const r = await scriptedLoop(app, { planner }).ask({
      principal: app.as('alice'),
      request: 'add Jane Doe of Hooli in Palo Alto',
    });
    expect(r.status).toBe('succeeded');
    expect(planner.prompts()[1]).toMatch(/step s1 \(crm\.create_customer\): input email/);
    const rows = await app.db.query('SELECT 1 FROM demo.customers WHERE email = $1', [
      'jane.doe@hooli.example',
    ]);
    expect(rows.rowCount).toBe(1);
    // The invalid plan never reached the engine.
    expect(await engineRuns(r.id)).toEqual(['crm.create_customer']);
  });

  it('revises after the critic asks, reusing the finished step, then approves', async () => {
    const planner = scriptedModel('planner', [
      plan([{ id: 's1', skill: 'invoices.list_overdue', input: { customer: 'Globex' } }]),
      plan([
        { id: 's1', skill: 'invoices.list_overdue', input: { customer: 'Globex' } },
        { id: 's2', skill: 'crm.find_customer', input: { company: 'Globex' } },
      ]),
    ]);
    const critic = scriptedModel('critic', [
      {
        json: {
          verdict: 'revise',
          reasons: ['s1 lists invoices but not who to call'],
          summary: 'also look up the contact',
        },
      },
      approve(),
    ]);
    const r = await scriptedLoop(app, { planner, critic }).ask({
      principal: app.as('local'),
      request: 'what does Globex owe and who do I call?',
    });
    expect(r.status).toBe('succeeded');
    expect(r.planVersion).toBe(2);
    expect(planner.prompts()[1]).toContain('also look up the contact');
    // list_overdue ran once: plan v2 reused its result.
    expect((await engineRuns(r.id)).sort()).toEqual(['crm.find_customer', 'invoices.list_overdue']);
    expect(r.steps.find((s) => s.stepKey === 's1')?.status).toBe('reused');
    const trace = (await loadAgentTrace(app.db, r.id))!;
    expect(trace.critiques.map((c) => c.verdict)).toEqual(['revise', 'approve']);
    expect(trace.plans.filter((p) => p.valid).map((p) => p.reason)).toEqual(['initial', 'revise']);
  });

  it('hands the run to a human when the critic escalates', async () => {
    const planner = scriptedModel('planner', [
      plan([{ id: 's1', skill: 'invoices.list_overdue', input: { min_amount: 20000 } }]),
    ]);
    const critic = scriptedModel('critic', [
      {
        json: {
          verdict: 'escalate',
          reasons: ['s1: two customers owe over 20k'],
          summary: 'Finance must decide who to chase first.',
        },
      },
    ]);
    const synth = scriptedModel('synth', []);
    const r = await scriptedLoop(app, { planner, critic, synthesizer: synth }).ask({
      principal: app.as('local'),
      request: 'deal with the biggest debts',
    });
    expect(r.status).toBe('escalated');
    expect(r.escalation).toEqual({
      summary: 'Finance must decide who to chase first.',
      reasons: ['s1: two customers owe over 20k'],
    });
    expect(synth.mock.doGenerateCalls).toHaveLength(0);
    expect(r.answer).toMatch(/invoices\.list_overdue/);
  });

  it('lets the executor model derive a step input from earlier outputs by calling the skill tool', async () => {
    const planner = scriptedModel('planner', [
      plan([
        { id: 's1', skill: 'invoices.list_overdue', input: { customer: 'Umbrella' } },
        {
          id: 's2',
          skill: 'invoices.send_reminder',
          input: { note: 'Second notice.' },
          needs: ['s1'],
          derive: 'one reminder per overdue invoice of s1',
        },
      ]),
    ]);
    const list = await app.engine.run({
      principal: app.as('local'),
      channel: 'test',
      skill: 'invoices.list_overdue',
      input: { customer: 'Umbrella' },
    });
    const numbers = (list.output as { invoices: { number: number }[] }).invoices.map((i) => i.number);
    expect(numbers.length).toBeGreaterThan(0);
    const executor = scriptedModel('executor', [
      {
        tools: [
          ...numbers.map((n) => ({ name: 'invoices_send_reminder', input: { invoice: n } })),
          { name: 'invoices_send_reminder', input: { invoice: 'x' } },
        ],
      },
      { text: 'Sent the reminders.' },
    ]);
    const r = await scriptedLoop(app, { planner, executor }).ask({
      principal: app.as('alice'),
      request: 'chase Umbrella for each overdue invoice',
    });
    expect(r.status).toBe('succeeded');
    const reminders = r.steps.filter((s) => s.stepId === 's2');
    expect(reminders.map((s) => s.input?.invoice)).toEqual(numbers);
    expect(reminders.every((s) => s.input?.note === 'Second notice.' && s.prompt === 'executor@1.1.0')).toBe(
      true,
    );
    // The executor's second round saw each tool result, including the schema error of the bad call.
    const second = JSON.stringify(executor.mock.doGenerateCalls[1].prompt);
    expect(second).toContain('queued');
    expect(second).toMatch(/invalid|expected number/i);
  });
  it('cites the library passages a step returned, offline', async () => {
    const text =
      '# Handbook\n\n## Parental leave\n\nEmployees get 16 weeks of paid parental leave, to be taken within two years.\n';
    const ingest = await app.engine.run({
      principal: app.as('local'),
      channel: 'test',
      skill: 'library.ingest',
      input: { text, title: 'Handbook' },
    });
    expect(ingest.status).toBe('succeeded');
    const r = await scriptedLoop(app, {}).ask({
      principal: app.as('local'),
      request: 'what does the handbook say about parental leave?',
    });
    expect(r.status).toBe('succeeded');
    expect(r.mode).toBe('offline');
    expect(r.citations[0]).toMatchObject({ index: 1, step: 's1', title: 'Handbook' });
    expect(r.statements[0]).toMatchObject({ steps: ['s1'], citations: [1] });
    expect(r.answer).toMatch(
      /16 weeks of paid parental leave[\s\S]*\[s1, 1\][\s\S]*Sources:\n\[1\] Handbook \(Handbook > Parental leave/,
    );
  });
});
