import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentRunResult } from '../../src/agents/agent-types.js';
import type { AgentTrace } from '../../src/agents/render-agent-trace.js';
import { main } from '../../src/cli/main.js';
import { createApp } from '../../src/core/app.js';
import { loadConfig } from '../../src/core/config/load-config.js';
import { silentLogger } from '../../src/core/logger.js';
import { resolvePrincipal } from '../../src/core/principals.js';
import { type CliHome, cleanEnv, cli, createCliHome, SETUP_TIMEOUT, SLOW } from './cli-harness.js';

async function waitFor(check: () => boolean, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('agent runs paused for approval, continued from the CLI and serve', () => {
  let h: CliHome;
  beforeAll(async () => {
    h = await createCliHome();
  }, SETUP_TIMEOUT);
  afterAll(() => h.remove());

  const pause = async (request: string) => {
    const paused = await cli(h, '--json', 'ask', request);
    expect(paused.code).toBe(3);
    const run = paused.json<AgentRunResult>();
    expect(run.status).toBe('waiting_approval');
    expect(run.approvals).toHaveLength(1);
    return run;
  };

  it(
    'continues the agent run when its approval is approved on the CLI, and shows its trace',
    SLOW,
    async () => {
      const run = await pause('delete all free tier customers in Milan');
      const approved = await cli(h, '--as', 'bob', 'approvals', 'approve', run.approvals[0].approvalId);
      expect(approved.code).toBe(0);
      expect(approved.stdout).toContain(`agent run ${run.id} continued: succeeded`);
      expect(approved.stdout).toMatch(/crm\.delete_customers: [1-9] deleted/);

      // No `ask --resume` needed: the run is finished.
      const trace = (await cli(h, '--json', 'runs', 'show', run.id)).json<AgentTrace>();
      expect(trace.run.status).toBe('succeeded');
      expect(trace.steps.map((s) => [s.stepKey, s.status])).toEqual([['s1', 'succeeded']]);

      const shown = await cli(h, 'runs', 'show', run.id);
      expect(shown.code).toBe(0);
      expect(shown.stdout).toMatch(new RegExp(`^agent ${run.id} +succeeded +\\(offline\\)`));
      expect(shown.stdout).toMatch(/plan v1\.1 \(offline-planner@1, initial\) valid: 1 step/);
      expect(shown.stdout).toMatch(/✓ s1 crm\.delete_customers succeeded +\d+m?s +run \S+ +approval \S+/);
      expect(shown.stdout).toMatch(/critic round 1 \(offline-critic@\S+\): approve/);

      // A step's engine run shows its own details, then the agent run it belongs to.
      const stepRun = trace.steps[0].runId!;
      const step = await cli(h, 'runs', 'show', stepRun);
      expect(step.code).toBe(0);
      expect(step.stdout).toContain(stepRun);
      expect(step.stdout).toContain(`part of agent run ${run.id}:`);
      expect(step.stdout).toMatch(new RegExp(`agent ${run.id} +succeeded`));
    },
  );

  it('serve resumes agent runs whose approvals were decided while nothing was running', SLOW, async () => {
    const run = await pause('delete all free tier customers in Dublin');
    // Decided by a process that knows nothing about agent runs.
    const { config } = loadConfig({ file: h.configFile, env: cleanEnv(h.home), cwd: h.dir });
    const app = await createApp({ config, logger: silentLogger });
    try {
      const d = await app.engine.decide({
        approvalId: run.approvals[0].approvalId,
        principal: resolvePrincipal(config, 'bob'),
        decision: 'approve',
        channel: 'test',
      });
      expect(d.run?.status).toBe('succeeded');
    } finally {
      await app.close();
    }
    const still = (await cli(h, '--json', 'runs', 'show', run.id)).json<AgentTrace>();
    expect(still.run.status).toBe('waiting_approval');

    const stop = new AbortController();
    const stdout = new PassThrough();
    let out = '';
    stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    const serving = main(['--config', h.configFile, 'serve', '--port', '0'], {
      stdout,
      stderr: new PassThrough(),
      env: cleanEnv(h.home),
      cwd: h.dir,
      stop: stop.signal,
    });
    await waitFor(() => out.includes('listening on') || out.includes('stopped'));
    stop.abort();
    expect(await serving).toBe(0);

    const done = (await cli(h, '--json', 'runs', 'show', run.id)).json<AgentTrace>();
    expect(done.run.status).toBe('succeeded');
    expect(done.run.answer).toMatch(/crm\.delete_customers: [1-9] deleted/);
  });
});
