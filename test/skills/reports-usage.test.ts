import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PgliteDb } from '../../src/db/pglite-db.js';
import { resolvePeriod } from '../../src/tools/builtins/reports/report-period.js';
import { usageReport } from '../../src/tools/builtins/reports/usage-report.js';
import { createTestDb } from '../helpers/test-db.js';
import { addLlmCall, addRun } from './run-fixtures.js';
import { skillContext } from './skill-context.js';

describe('reports.usage on recorded runs and LLM ledger entries', () => {
  let db: PgliteDb;
  const now = new Date();
  const minutesAgo = (m: number) => new Date(now.getTime() - m * 60_000);
  const lastYear = new Date(Date.UTC(now.getUTCFullYear() - 1, 5, 15, 12));

  beforeAll(async () => {
    db = await createTestDb();
    const parent = await addRun(db, {
      principal: 'alice',
      skill: 'reports.weekly_summary',
      at: minutesAgo(5),
      cost: 0,
    });
    await addRun(db, { principal: 'alice', skill: 'crm.new_customers', at: minutesAgo(5), parent });
    await addRun(db, {
      principal: 'alice',
      skill: 'crm.find_customer',
      at: minutesAgo(4),
      cost: 0.01,
      tokens: 100,
    });
    await addRun(db, {
      principal: 'alice',
      skill: 'crm.find_customer',
      at: minutesAgo(3),
      status: 'failed',
      cost: 0.02,
      tokens: 50,
    });
    await addRun(db, { principal: 'bob', skill: 'agent.ask', at: minutesAgo(2), cost: 0.5, tokens: 4000 });
    await addRun(db, { principal: 'bob', skill: 'crm.delete_customers', at: minutesAgo(1), mode: 'dry_run' });
    await addRun(db, { principal: 'bob', skill: 'agent.ask', at: lastYear, cost: 9 });
    await addRun(db, {
      tenant: 'other',
      principal: 'mallory',
      skill: 'agent.ask',
      at: minutesAgo(1),
      cost: 100,
    });
    await addLlmCall(db, {
      principal: 'bob',
      skill: 'agent.ask',
      usd: 0.3,
      model: 'gpt-4o-mini',
      input: 3000,
      output: 500,
      at: minutesAgo(2),
    });
    await addLlmCall(db, {
      principal: 'bob',
      skill: 'agent.ask',
      usd: 0.2,
      model: 'claude-haiku',
      input: 400,
      output: 100,
      at: minutesAgo(2),
    });
    await addLlmCall(db, {
      principal: 'alice',
      skill: 'crm.find_customer',
      usd: 0.01,
      model: 'gpt-4o-mini',
      input: 80,
      output: 20,
      at: minutesAgo(4),
    });
    await addLlmCall(db, {
      principal: 'bob',
      skill: 'agent.ask',
      usd: 7,
      model: 'gpt-4o',
      input: 1,
      output: 1,
      at: lastYear,
    });
    await addLlmCall(db, {
      tenant: 'other',
      principal: 'mallory',
      skill: 'agent.ask',
      usd: 50,
      model: 'gpt-4o',
      input: 1,
      output: 1,
      at: minutesAgo(1),
    });
  });
  afterAll(async () => {
    await db.close();
  });

  const report = (input: Record<string, unknown>) =>
    usageReport(skillContext('reports.usage', { db, input }));

  it('sums runs, cost and tokens per user, with LLM calls from the ledger, for today', async () => {
    const out = await report({ period: 'day' });
    expect(out.by_user).toEqual([
      {
        user: 'bob',
        runs: 1,
        requests: 1,
        failed: 0,
        cost_usd: 0.5,
        tokens: 4000,
        llm_calls: 2,
        llm_cost_usd: 0.5,
        input_tokens: 3400,
        output_tokens: 600,
      },
      {
        user: 'alice',
        runs: 4,
        requests: 3,
        failed: 1,
        cost_usd: 0.03,
        tokens: 150,
        llm_calls: 1,
        llm_cost_usd: 0.01,
        input_tokens: 80,
        output_tokens: 20,
      },
    ]);
    expect(out.totals).toMatchObject({
      runs: 5,
      requests: 4,
      failed: 1,
      cost_usd: 0.53,
      llm_calls: 3,
      llm_cost_usd: 0.51,
    });
  });

  it('breaks usage down by skill and by model', async () => {
    const out = await report({ period: 'month' });
    expect(out.by_skill[0]).toMatchObject({
      skill: 'agent.ask',
      runs: 1,
      cost_usd: 0.5,
      llm_calls: 2,
      llm_cost_usd: 0.5,
    });
    expect(out.by_skill.find((s) => s.skill === 'crm.find_customer')).toMatchObject({
      runs: 2,
      failed: 1,
      tokens: 150,
    });
    expect(out.by_model).toEqual([
      { model: 'gpt-4o-mini', calls: 2, cost_usd: 0.31, input_tokens: 3080, output_tokens: 520 },
      { model: 'claude-haiku', calls: 1, cost_usd: 0.2, input_tokens: 400, output_tokens: 100 },
    ]);
  });

  it('never includes other tenants, dry runs or runs outside the period', async () => {
    const out = await report({ period: 'month' });
    expect(out.by_user.map((u) => u.user).sort()).toEqual(['alice', 'bob']);
    expect(out.by_skill.map((s) => s.skill)).not.toContain('crm.delete_customers');
    const old = await report({
      from: lastYear.toISOString().slice(0, 10),
      to: lastYear.toISOString().slice(0, 10),
    });
    expect(old.totals).toMatchObject({ runs: 1, cost_usd: 9, llm_calls: 1, llm_cost_usd: 7 });
  });

  it('filters by user and by skill glob', async () => {
    const bob = await report({ period: 'day', user: 'bob' });
    expect(bob.by_user.map((u) => u.user)).toEqual(['bob']);
    const crm = await report({ period: 'day', skill: 'crm.*' });
    expect(crm.by_skill.map((s) => s.skill).sort()).toEqual(['crm.find_customer', 'crm.new_customers']);
    expect(crm.totals.llm_cost_usd).toBe(0.01);
  });

  it('resolves calendar periods in UTC and validates custom ranges', () => {
    const wed = new Date('2025-01-15T10:00:00Z');
    expect(resolvePeriod({ period: 'day' }, wed).from.toISOString()).toBe('2025-01-15T00:00:00.000Z');
    expect(resolvePeriod({ period: 'week' }, wed).from.toISOString()).toBe('2025-01-13T00:00:00.000Z');
    expect(resolvePeriod({ period: 'month' }, wed).from.toISOString()).toBe('2025-01-01T00:00:00.000Z');
    const range = resolvePeriod({ from: '2024-12-01', to: '2024-12-31' }, wed);
    expect([range.from.toISOString(), range.to.toISOString()]).toEqual([
      '2024-12-01T00:00:00.000Z',
      '2025-01-01T00:00:00.000Z',
    ]);
    expect(() => resolvePeriod({ to: '2024-12-31' }, wed)).toThrow(
      expect.objectContaining({ code: 'skill.input_invalid' }),
    );
    expect(() => resolvePeriod({ from: '2025-02-01', to: '2025-01-01' }, wed)).toThrow(/empty/);
  });
});
