import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentRunResult } from '../../src/agents/agent-types.js';
import type { AgentEvalReport } from '../../src/agents/evals/run-agent-evals.js';
import { type CliHome, cli, createCliHome, SETUP_TIMEOUT, SLOW } from '../cli/cli-harness.js';

describe('skillgate ask and eval agent (offline)', () => {
  let h: CliHome;
  beforeAll(async () => {
    h = await createCliHome();
  }, SETUP_TIMEOUT);
  afterAll(() => h.remove());

  it('answers a request with live progress on stderr and the answer on stdout', SLOW, async () => {
    const r = await cli(h, 'ask', 'who is our contact at Globex?');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/crm\.find_customer: 2 customers: .*Globex.* \[s1\]/);
    expect(r.stderr).toMatch(/✓ plan v1 \(offline-planner@1\): s1:crm\.find_customer/);
    expect(r.stderr).toMatch(/✓ s1 +crm\.find_customer/);
    expect(r.stderr).toMatch(/agent run agt_\w+: succeeded/);
  });

  it('asks a clarifying question instead of guessing (exit 1, JSON)', SLOW, async () => {
    const r = await cli(h, '--json', 'ask', 'create a customer');
    expect(r.code).toBe(1);
    const out = r.json<AgentRunResult>();
    expect(out.status).toBe('needs_input');
    expect(out.question).toMatch(/email/);
    expect(out.steps).toEqual([]);
  });

  it('pauses for approval (exit 3), and resumes from another process after the decision', SLOW, async () => {
    const paused = await cli(h, '--json', 'ask', 'delete all free tier customers in Milan');
    expect(paused.code).toBe(3);
    const run = paused.json<AgentRunResult>();
    expect(run.approvals).toHaveLength(1);
    const approved = await cli(h, '--as', 'bob', 'approvals', 'approve', run.approvals[0].approvalId);
    expect(approved.code).toBe(0);
    const resumed = await cli(h, 'ask', '--resume', run.id);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toMatch(/crm\.delete_customers: [1-9] deleted: /);
    const shown = await cli(h, 'ask', '--show', run.id);
    expect(shown.stdout).toMatch(/agent agt_\w+ +succeeded/);
    expect(shown.stdout).toMatch(/✓ s1 crm\.delete_customers succeeded/);
  });

  it('runs the agent eval and reports success rate, steps, tokens, cost and latency', SLOW, async () => {
    const r = await cli(h, '--json', 'eval', 'agent', '--in-place', '--filter', 'crm-find');
    expect(r.code).toBe(0);
    const report = r.json<AgentEvalReport>();
    expect(report.mode).toBe('offline');
    expect(report.scenarios.length).toBeGreaterThanOrEqual(3);
    expect(report.summary.success_rate).toBe(1);
    expect(report.scenarios[0]).toEqual(
      expect.objectContaining({ steps: 1, input_tokens: 0, cost_usd: 0, latency_ms: expect.any(Number) }),
    );
  });
});
