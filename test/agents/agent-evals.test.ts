import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentLoop } from '../../src/agents/agent-loop.js';
import { type AgentScenario, loadAgentScenarios } from '../../src/agents/evals/agent-scenario.js';
import { EVAL_SERVICES } from '../../src/agents/evals/eval-services.js';
import { runAgentEvals } from '../../src/agents/evals/run-agent-evals.js';
import { createAgentTestApp, type TestApp } from './agent-test-kit.js';

describe('agent eval scenarios on the offline planner', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createAgentTestApp({ config: { services: EVAL_SERVICES } });
  });
  afterAll(() => app.close());

  it('ships at least 25 valid scenarios, multi-step ones included', () => {
    const scenarios = loadAgentScenarios();
    expect(scenarios.length).toBeGreaterThanOrEqual(25);
    expect(scenarios.filter((s) => s.kind === 'multi').length).toBeGreaterThanOrEqual(4);
    expect(scenarios.map((s) => s.request)).toEqual(
      expect.arrayContaining([
        'remind everyone with an overdue invoice over 1,000 EUR',
        'weekly summary, then save its headline to memory',
      ]),
    );
  });

  it('passes at least 80% of the single-skill scenarios offline, and reports steps, tokens and latency', async () => {
    const loop = new AgentLoop(app, { models: {} });
    const report = await runAgentEvals(loadAgentScenarios(), {
      loop,
      registry: app.registry,
      principal: (id) => app.as(id),
    });
    const failures = report.scenarios
      .filter((s) => s.status === 'fail')
      .map((s) => `${s.id}: ${s.reasons.join('; ')}`);
    console.info(
      `offline agent eval: ${JSON.stringify(report.summary)}${failures.length ? `\n${failures.join('\n')}` : ''}`,
    );
    expect(report.mode).toBe('offline');
    expect(report.summary.single.rate).toBeGreaterThanOrEqual(0.8);
    const multi = report.scenarios.find((s) => s.id === 'multi-remind-overdue-over-1000')!;
    expect(multi.status).toBe('pass');
    expect(multi.steps).toBeGreaterThan(2);
    expect(report.scenarios.every((s) => s.status === 'unavailable' || s.latency_ms > 0)).toBe(true);
  });

  it('reports a scenario whose skill is not loaded as unavailable, never as passed', async () => {
    const ghost: AgentScenario = {
      id: 'ghost',
      request: 'frobnicate the widgets',
      principal: 'local',
      expect: {
        skills: ['widgets.frobnicate'],
        inputs: {},
        outcome: 'succeeded',
        answer_contains: [],
        question_contains: [],
      },
    };
    const loop = new AgentLoop(app, { models: {} });
    const report = await runAgentEvals([ghost], {
      loop,
      registry: app.registry,
      principal: (id) => app.as(id),
    });
    expect(report.scenarios[0]).toMatchObject({
      status: 'unavailable',
      reasons: ['not loaded: widgets.frobnicate'],
    });
    expect(report.summary).toMatchObject({ passed: 0, unavailable: 1, success_rate: 0 });
  });
});
