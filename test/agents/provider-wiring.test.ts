import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgentLoop } from '../../src/agents/agent-loop.js';
import { loadAgentTrace } from '../../src/agents/render-agent-trace.js';
import { createAgentTestApp, type TestApp } from './agent-test-kit.js';

interface Seen {
  auth?: string;
  body: {
    model: string;
    messages: { role: string; content: unknown; tool_calls?: unknown[] }[];
    tools?: {
      type: string;
      function: { name: string; parameters: { properties: Record<string, unknown> } };
    }[];
    response_format?: { type: string; json_schema?: { name?: string } };
  };
}

const completion = (message: Record<string, unknown>, finish: string) => ({
  id: 'chatcmpl-fake',
  object: 'chat.completion',
  created: 1_700_000_000,
  model: 'fake-large',
  choices: [{ index: 0, message: { role: 'assistant', ...message }, finish_reason: finish }],
  usage: { prompt_tokens: 120, completion_tokens: 30, total_tokens: 150 },
});

function textOf(body: Seen['body']): string {
  return body.messages
    .map((m) => (typeof m.content === 'string' ? m.content : JSON.stringify(m.content)))
    .join('\n');
}

/** A small OpenAI-compatible chat server: structured answers by schema name, tool calls for the executor. */
function fakeProvider(seen: Seen[], state: { failNext: number }) {
  return (req: IncomingMessage, res: import('node:http').ServerResponse) => {
    let raw = '';
    req.on('data', (c) => {
      raw += c;
    });
    req.on('end', () => {
      const body = JSON.parse(raw) as Seen['body'];
      seen.push({ auth: req.headers.authorization, body });
      res.setHeader('content-type', 'application/json');
      if (req.url !== '/v1/chat/completions') {
        res.statusCode = 404;
        return res.end('{}');
      }
      if (state.failNext > 0) {
        state.failNext -= 1;
        res.statusCode = 500;
        return res.end(JSON.stringify({ error: { message: 'overloaded', type: 'server_error' } }));
      }
      const schema = body.response_format?.json_schema?.name;
      let answer: unknown;
      if (body.tools?.length) {
        const hasResult = body.messages.some((m) => m.role === 'tool');
        if (hasResult) answer = completion({ content: 'Reminders sent.' }, 'stop');
        else {
          const numbers = [
            ...new Set([...textOf(body).matchAll(/\\?"number\\?": ?(\d+)/g)].map((m) => Number(m[1]))),
          ];
          answer = completion(
            {
              content: null,
              tool_calls: numbers.map((n, i) => ({
                id: `call_${i}`,
                type: 'function',
                function: { name: body.tools![0].function.name, arguments: JSON.stringify({ invoice: n }) },
              })),
            },
            'tool_calls',
          );
        }
      } else if (schema === 'plan') {
        const plan = {
          goal: 'Remind Umbrella about each overdue invoice',
          rationale: 'list, then one reminder per invoice',
          steps: [
            { id: 's1', skill: 'invoices.list_overdue', input: { customer: 'Umbrella' }, needs: [] },
            {
              id: 's2',
              skill: 'invoices.send_reminder',
              input: {},
              needs: ['s1'],
              derive: 'one reminder per invoice of s1',
            },
          ],
        };
        answer = completion({ content: JSON.stringify(plan) }, 'stop');
      } else if (schema === 'critic_verdict') {
        answer = completion(
          {
            content: JSON.stringify({
              verdict: 'approve',
              reasons: ['s2 queued reminders'],
              summary: 'done',
            }),
          },
          'stop',
        );
      } else if (schema === 'answer') {
        const statements = [
          { text: 'Umbrella was reminded of its overdue invoices.', steps: ['s1', 's2'], citations: [] },
        ];
        answer = completion({ content: JSON.stringify({ statements }) }, 'stop');
      } else {
        res.statusCode = 400;
        return res.end(JSON.stringify({ error: { message: `unexpected request ${schema}` } }));
      }
      res.end(JSON.stringify(answer));
    });
  };
}

describe('real provider wiring against a fake OpenAI-compatible server', () => {
  let server: Server;
  let app: TestApp;
  const seen: Seen[] = [];
  const state = { failNext: 1 };

  beforeAll(async () => {
    server = createServer(fakeProvider(seen, state));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    process.env.SKILLGATE_TEST_FAKE_LLM_KEY = 'sk-fake-123';
    app = await createAgentTestApp({
      config: {
        models: {
          default: {
            provider: 'openai-compatible',
            model: 'fake-large',
            base_url: `http://127.0.0.1:${port}/v1`,
            api_key_env: 'SKILLGATE_TEST_FAKE_LLM_KEY',
          },
          prices: { 'fake-large': { input_per_1m: 1, output_per_1m: 2 } },
          max_retries: 1,
          retry_delay_ms: 0,
        },
      },
    });
  });
  afterAll(async () => {
    await app.close();
    await new Promise((r) => server.close(r));
    delete process.env.SKILLGATE_TEST_FAKE_LLM_KEY;
  });

  it('plans with structured output, executes a derived step with tool calls over HTTP, and prices the tokens', async () => {
    const loop = createAgentLoop(app, { sleep: async () => {} });
    expect(loop.mode).toBe('model');
    const r = await loop.ask({
      principal: app.as('local'),
      request: 'remind Umbrella about every overdue invoice',
    });
    expect(r.status).toBe('succeeded');
    expect(r.answer).toContain('Umbrella was reminded of its overdue invoices. [s1, s2]');

    expect(seen.every((s) => s.auth === 'Bearer sk-fake-123' && s.body.model === 'fake-large')).toBe(true);
    // The first planner request got a 500 and was retried by our loop (the SDK itself does not retry).
    const plannerCalls = seen.filter((s) => s.body.response_format?.json_schema?.name === 'plan');
    expect(plannerCalls).toHaveLength(2);
    expect(plannerCalls[0].body.response_format?.type).toBe('json_schema');
    // The executor offered the skill as a tool with its input schema, and got the tool results back.
    const exec = seen.filter((s) => s.body.tools?.length);
    expect(exec).toHaveLength(2);
    const toolDef = exec[0].body.tools![0];
    expect(toolDef.function.name).toBe('invoices_send_reminder');
    expect(Object.keys(toolDef.function.parameters.properties)).toEqual(
      expect.arrayContaining(['invoice', 'customer', 'note']),
    );
    const toolResults = exec[1].body.messages.filter((m) => m.role === 'tool');
    const reminders = r.steps.filter((s) => s.stepId === 's2');
    expect(reminders.length).toBeGreaterThan(0);
    expect(toolResults).toHaveLength(reminders.length);
    expect(reminders.every((s) => s.status === 'succeeded' && s.prompt === 'executor@1.1.0')).toBe(true);

    const trace = (await loadAgentTrace(app.db, r.id))!;
    expect(trace.modelCalls.map((m) => [m.role, m.status, m.errorCode ?? null])).toEqual([
      ['planner', 'error', 'http_500'],
      ['planner', 'ok', null],
      ['executor', 'ok', null],
      ['critic', 'ok', null],
      ['synthesizer', 'ok', null],
    ]);
    const ledger = await app.db.query<{
      model: string;
      input_tokens: number;
      output_tokens: number;
      usd: number;
    }>(
      `SELECT model, input_tokens, output_tokens, usd FROM budget_ledger WHERE run_id = $1 AND kind = 'llm' ORDER BY id`,
      [r.id],
    );
    expect(ledger.rows).toHaveLength(4);
    expect(ledger.rows[0]).toMatchObject({
      model: 'openai-compatible:fake-large',
      input_tokens: 120,
      output_tokens: 30,
    });
    // 120 input at $1/1M + 30 output at $2/1M.
    expect(ledger.rows[0].usd).toBeCloseTo(0.00018, 9);
    // The executor's tool loop made two requests: its usage is the sum.
    expect(ledger.rows[1]).toMatchObject({ input_tokens: 240, output_tokens: 60 });
    // reports.usage reads the same ledger: calls, tokens and cost by model and by agent role.
    const usage = await app.engine.run({
      principal: app.as('local'),
      channel: 'test',
      skill: 'reports.usage',
      input: { period: 'day' },
    });
    const out = usage.output as {
      by_model: { model: string; calls: number; input_tokens: number }[];
      by_skill: { skill: string }[];
    };
    expect(out.by_model).toContainEqual(
      expect.objectContaining({ model: 'openai-compatible:fake-large', calls: 4, input_tokens: 600 }),
    );
    expect(out.by_skill.map((x) => x.skill)).toEqual(
      expect.arrayContaining(['agent.planner', 'agent.executor']),
    );
  });
});
