import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAgentTrace } from '../../src/agents/render-agent-trace.js';
import { createAgentTestApp, scriptedLoop, scriptedModel, type TestApp } from './agent-test-kit.js';

const plan = (steps: unknown[], goal = 'do it') => ({ json: { goal, steps, rationale: 'because' } });

describe('agent loop when models fail or the budget runs out', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await createAgentTestApp({
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
        // carol's cap is too small for the priced planner, not for a free fallback.
        budgets: { users: { vic: { daily_usd: 0.105 }, carol: { daily_usd: 0.001 } } },
      },
    });
  });
  afterAll(() => app.close());

  it('stops with budget.exceeded when the budget runs out mid-run, with everything done recorded', async () => {
    const planner = scriptedModel('planner-pricey', [
      {
        ...plan([{ id: 's1', skill: 'crm.find_customer', input: { company: 'Initech' } }]),
        input: 9000,
        output: 1000,
      },
    ]);
    const critic = scriptedModel('critic-pricey', []);
    const r = await scriptedLoop(app, { planner, critic }).ask({
      principal: app.as('vic'),
      request: 'find Initech',
    });
    expect(r.status).toBe('failed');
    expect(r.error?.code).toBe('budget.exceeded');
    expect(critic.mock.doGenerateCalls).toHaveLength(0);
    expect(r.steps.map((s) => [s.stepKey, s.status])).toEqual([['s1', 'succeeded']]);
    expect(r.answer).toMatch(/crm\.find_customer/);
    const trace = (await loadAgentTrace(app.db, r.id))!;
    expect(trace.modelCalls.map((m) => [m.role, m.status])).toEqual([
      ['planner', 'ok'],
      ['critic', 'refused'],
    ]);
    // The planner's actual cost is spent and recorded; no reservation is left open.
    const usage = await app.db.query<{ used_usd: number }>(
      `SELECT used_usd FROM budget_usage WHERE scope = 'user:vic' AND period LIKE 'day:%'`,
    );
    expect(usage.rows[0].used_usd).toBeCloseTo(0.1, 6);
    const ledger = await app.db.query<{ kind: string; usd: number }>(
      'SELECT kind, sum(usd)::float8 AS usd FROM budget_ledger WHERE run_id = $1 GROUP BY kind ORDER BY kind',
      [r.id],
    );
    const by = Object.fromEntries(ledger.rows.map((x) => [x.kind, x.usd]));
    expect(by.llm).toBeCloseTo(0.1, 6);
    expect(by.reserve + by.settle).toBeCloseTo(0.1, 6);
    expect(r.costUsd).toBeCloseTo(0.1, 6);
  });

  it('retries a 429 and a 500, then falls back to the cheaper model', async () => {
    const { APICallError } = await import('ai');
    const err = (status: number) =>
      new APICallError({
        message: `HTTP ${status}`,
        url: 'http://x',
        requestBodyValues: {},
        statusCode: status,
        isRetryable: true,
      });
    const primary = scriptedModel('primary', [{ error: err(429) }, { error: err(500) }]);
    const fallback = scriptedModel('cheap', [
      plan([{ id: 's1', skill: 'crm.find_customer', input: { city: 'Berlin' } }]),
    ]);
    const r = await scriptedLoop(app, { planner: primary, fallback }).ask({
      principal: app.as('local'),
      request: 'customers in Berlin',
    });
    expect(r.status).toBe('succeeded');
    const trace = (await loadAgentTrace(app.db, r.id))!;
    expect(
      trace.modelCalls.map((m) => [m.model, m.attempt, m.status, m.errorCode ?? null, m.fallback]),
    ).toEqual([
      ['mock:primary', 1, 'error', 'http_429', false],
      ['mock:primary', 2, 'error', 'http_500', false],
      ['mock:cheap', 1, 'ok', null, true],
    ]);
    const ledger = await app.db.query<{ model: string }>(
      `SELECT model FROM budget_ledger WHERE run_id = $1 AND kind = 'llm'`,
      [r.id],
    );
    expect(ledger.rows.map((x) => x.model)).toEqual(['mock:cheap']);
  });

  it('retries a model call that times out', async () => {
    const planner = scriptedModel('slow', [
      { hang: true },
      plan([{ id: 's1', skill: 'crm.find_customer', input: { city: 'Paris' } }]),
    ]);
    const r = await scriptedLoop(app, { planner }).ask({
      principal: app.as('local'),
      request: 'customers in Paris',
    });
    expect(r.status).toBe('succeeded');
    const calls = (await loadAgentTrace(app.db, r.id))!.modelCalls;
    expect(calls.map((m) => [m.status, m.errorCode ?? null])).toEqual([
      ['error', 'timeout'],
      ['ok', null],
    ]);
  });
  it('uses the cheaper fallback model when the budget cannot cover the primary', async () => {
    const planner = scriptedModel('planner-pricey', []);
    const fallback = scriptedModel('free-local', [
      plan([{ id: 's1', skill: 'crm.find_customer', input: { city: 'Lyon' } }]),
    ]);
    const r = await scriptedLoop(app, { planner, fallback }).ask({
      principal: app.as('carol'),
      request: 'customers in Lyon',
    });
    expect(r.status).toBe('succeeded');
    expect(planner.mock.doGenerateCalls).toHaveLength(0);
    const calls = (await loadAgentTrace(app.db, r.id))!.modelCalls;
    expect(calls.map((m) => [m.model, m.status, m.fallback])).toEqual([
      ['mock:planner-pricey', 'refused', false],
      ['mock:free-local', 'ok', true],
    ]);
  });
});
