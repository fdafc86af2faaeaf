import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCodeSampler } from '../../src/agents/models/code-sampler.js';
import { shippedBuiltins } from '../../src/core/builtins.js';
import { loadConfig } from '../../src/core/config/load-config.js';
import { scriptedModel } from '../agents/agent-test-kit.js';
import { createTestApp, TEST_PRINCIPALS } from '../helpers/test-app.js';

type App = Awaited<ReturnType<typeof createTestApp>>;

const GCD = 'def gcd(a, b):\n    a, b = abs(a), abs(b)\n    while b:\n        a, b = b, a % b\n    return a';
/** The same program with other names and a comment: equal after canonicalization, not before. */
const GCD_RENAMED =
  'def gcd(x, y):\n    # Euclid\n    x, y = abs(x), abs(y)\n    while y:\n        x, y = y, x % y\n    return x';
const GCD_WRONG = 'def gcd(a, b):\n    return 0';

interface Report {
  source: string;
  metrics: Record<string, number>;
  samples: { oracle: { passed: boolean } }[];
}

interface LedgerRow {
  kind: string;
  skill_id: string;
  model: string | null;
  input_tokens: number;
  output_tokens: number;
  usd: string;
}

const ledgerOf = async (app: App, runId: string) =>
  (
    await app.db.query<LedgerRow>(
      'SELECT kind, skill_id, model, input_tokens, output_tokens, usd FROM budget_ledger WHERE run_id = $1 ORDER BY id',
      [runId],
    )
  ).rows;

const MODELS = {
  default: { provider: 'openai-compatible', model: 'coder', base_url: 'http://127.0.0.1:9/v1' },
  prices: { coder: { input_per_1m: 1, output_per_1m: 2 } },
};

describe('code.repeatability samples the configured model', () => {
  const coder = scriptedModel('coder', [
    { text: `\`\`\`python\n${GCD}\n\`\`\``, input: 40, output: 30 },
    { text: GCD, input: 40, output: 30 },
    { text: GCD_RENAMED, input: 40, output: 30 },
    { text: GCD_WRONG, input: 40, output: 30 },
  ]);
  let app: App;
  beforeAll(async () => {
    const overrides = { models: MODELS, budgets: { users: { vic: { daily_usd: 0.001 } } } };
    const { config } = loadConfig({ env: {}, overrides: { principals: TEST_PRINCIPALS, ...overrides } });
    const generate = createCodeSampler(config, { models: { executor: coder }, sleep: async () => {} });
    app = await createTestApp({ config: overrides, builtins: shippedBuiltins({ generate }) });
  }, 60_000);
  afterAll(async () => {
    await app?.close();
  });

  const run = (who: string, input: Record<string, unknown>, mode?: 'dry_run') =>
    app.engine.run({ principal: app.as(who), channel: 'cli', skill: 'code.repeatability', input, mode });

  it('draws N samples at the temperature, measures them, and ledgers every call to the skill run', async () => {
    const r = await run('alice', { contract: 'gcd', n: 4, temperature: 0.3 });
    expect(r.status).toBe('succeeded');
    const report = r.output as Report;
    expect(report.source).toBe('generated');
    expect(report.samples).toHaveLength(4);
    expect(report.metrics).toMatchObject({
      n: 4,
      R_raw: 0.5,
      R_anchor_pre: 0.5,
      R_anchor_post: 0.75,
      Delta_rescue: 0.25,
      pass_rate: 0.75,
    });
    expect(coder.mock.doGenerateCalls).toHaveLength(4);
    for (const call of coder.mock.doGenerateCalls) {
      expect(call.temperature).toBe(0.3);
      expect(JSON.stringify(call.prompt)).toContain('Write a Python function `gcd(a, b)`');
    }

    const ledger = await ledgerOf(app, r.runId);
    const llm = ledger.filter((l) => l.kind === 'llm');
    expect(llm).toHaveLength(4);
    for (const row of llm) {
      expect(row).toMatchObject({
        skill_id: 'code.repeatability',
        model: 'mock:coder',
        input_tokens: 40,
        output_tokens: 30,
      });
      expect(Number(row.usd)).toBeCloseTo((40 * 1 + 30 * 2) / 1e6, 12);
    }
    // Every reservation was settled: what the counters hold is what the calls cost.
    expect(ledger.filter((l) => l.kind === 'reserve')).toHaveLength(4);
    expect(ledger.filter((l) => l.kind === 'settle')).toHaveLength(4);
    const used = await app.db.query<{ used_usd: string }>(
      `SELECT used_usd FROM budget_usage WHERE scope = 'user:alice' AND period LIKE 'day:%'`,
    );
    expect(Number(used.rows[0].used_usd)).toBeCloseTo(4 * 0.0001, 9);
    // Not an agent run: nothing in the agent trace.
    const traced = await app.db.query('SELECT 1 FROM agent_model_calls WHERE agent_run_id = $1', [r.runId]);
    expect(traced.rowCount).toBe(0);
  });

  it('never calls the model in a dry run', async () => {
    const before = coder.mock.doGenerateCalls.length;
    const r = await run('alice', { contract: 'gcd', n: 3 }, 'dry_run');
    expect(r.status).toBe('dry_run');
    expect(coder.mock.doGenerateCalls.length).toBe(before);
  });

  it('refuses to sample past the principal budget, before calling the model', async () => {
    const before = coder.mock.doGenerateCalls.length;
    const r = await run('vic', { contract: 'gcd', n: 2 });
    expect(r.status).toBe('failed');
    expect(r.error?.code).toBe('budget.exceeded');
    expect(coder.mock.doGenerateCalls.length).toBe(before);
    expect((await ledgerOf(app, r.runId)).filter((l) => l.kind === 'llm')).toEqual([]);
  });
});

describe('code.repeatability with the app composed from config', () => {
  const seen: { model: string; temperature?: number }[] = [];
  let server: Server;
  let withModel: App;
  let withoutModel: App;

  beforeAll(async () => {
    server = createServer((req, res) => {
      let raw = '';
      req.on('data', (c) => (raw += c));
      req.on('end', () => {
        seen.push(JSON.parse(raw));
        res.setHeader('content-type', 'application/json');
        res.end(
          JSON.stringify({
            id: 'chatcmpl-1',
            object: 'chat.completion',
            created: 1_700_000_000,
            model: 'coder',
            choices: [{ index: 0, message: { role: 'assistant', content: GCD }, finish_reason: 'stop' }],
            usage: { prompt_tokens: 50, completion_tokens: 20, total_tokens: 70 },
          }),
        );
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
    withModel = await createTestApp({
      config: { models: { ...MODELS, default: { ...MODELS.default, base_url: base }, max_retries: 0 } },
    });
    withoutModel = await createTestApp();
  }, 60_000);
  afterAll(async () => {
    await withModel?.close();
    await withoutModel?.close();
    await new Promise((r) => server.close(r));
  });

  it('samples the model of config.models through its provider', async () => {
    const r = await withModel.engine.run({
      principal: withModel.as('alice'),
      channel: 'cli',
      skill: 'code.repeatability',
      input: { contract: 'gcd', n: 2, temperature: 0.2 },
    });
    expect(r.status).toBe('succeeded');
    expect(r.output).toMatchObject({
      source: 'generated',
      metrics: { n: 2, pass_rate: 1, R_anchor_post: 1 },
    });
    expect(seen.map((s) => [s.model, s.temperature])).toEqual([
      ['coder', 0.2],
      ['coder', 0.2],
    ]);
    const llm = (await ledgerOf(withModel, r.runId)).filter((l) => l.kind === 'llm');
    expect(llm.map((l) => [l.model, l.input_tokens, l.output_tokens])).toEqual([
      ['openai-compatible:coder', 50, 20],
      ['openai-compatible:coder', 50, 20],
    ]);
  });

  it('asks for samples when no model is configured', async () => {
    const r = await withoutModel.engine.run({
      principal: withoutModel.as('alice'),
      channel: 'cli',
      skill: 'code.repeatability',
      input: { contract: 'gcd' },
    });
    expect(r.status).toBe('failed');
    expect(r.error?.code).toBe('code.samples_required');
  });
});
