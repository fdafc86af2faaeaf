import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentLoop, resumeAgentRun } from '../../src/agents/agent-loop.js';
import { loadAgentTrace } from '../../src/agents/render-agent-trace.js';
import type { PgliteDb } from '../../src/db/pglite-db.js';
import { createTestDb } from '../helpers/test-db.js';
import { approve, createAgentTestApp, scriptedLoop, scriptedModel, type TestApp } from './agent-test-kit.js';

const plan = (steps: unknown[]) => ({ json: { goal: 'clean up Milan', steps, rationale: 'r' } });

describe('agent runs paused for approval', () => {
  let db: PgliteDb;
  let first: TestApp;
  let second: TestApp;

  beforeAll(async () => {
    db = await createTestDb();
    first = await createAgentTestApp({ db });
    // A second process on the same database, started after the first one stopped.
    second = await createAgentTestApp({ db });
  });
  afterAll(async () => {
    // Both apps share the database: close it once.
    await second.close();
  });

  const customersIn = async (city: string) =>
    (await db.query('SELECT 1 FROM demo.customers WHERE city = $1', [city])).rowCount;

  it('pauses on an approval, survives a restart, and resumes to completion after the decision', async () => {
    expect(await customersIn('Milan')).toBeGreaterThan(0);
    const loop1 = scriptedLoop(first, {
      planner: scriptedModel('planner', [
        plan([
          { id: 'list', skill: 'crm.find_customer', input: { city: 'Milan' } },
          { id: 'purge', skill: 'crm.delete_customers', input: { city: 'Milan' } },
          {
            id: 'note',
            skill: 'memory.remember',
            input: { text: 'Milan customers purged: {{ steps.purge.output.deleted_count }}' },
            needs: ['purge'],
          },
        ]),
      ]),
    });
    const paused = await loop1.ask({
      principal: first.as('local'),
      request: 'delete every customer in Milan and note it',
    });
    expect(paused.status).toBe('waiting_approval');
    expect(paused.approvals).toHaveLength(1);
    expect(paused.approvals[0].skill).toBe('crm.delete_customers');
    // Independent work went ahead; the dependent step waits.
    expect(Object.fromEntries(paused.steps.map((s) => [s.stepKey, s.status]))).toEqual({
      list: 'succeeded',
      purge: 'waiting_approval',
      note: 'pending',
    });
    expect(await customersIn('Milan')).toBeGreaterThan(0);

    // "Restart": the first process is gone; a fresh loop on the second app, with new models.
    const critic = scriptedModel('critic', [approve('the Milan customers are gone')]);
    const loop2 = scriptedLoop(second, { planner: scriptedModel('planner', []), critic });
    const detach = loop2.attach();
    const decided = await second.engine.decide({
      approvalId: paused.approvals[0].approvalId,
      principal: second.as('bob'),
      decision: 'approve',
      channel: 'test',
    });
    expect(decided.run?.status).toBe('succeeded');
    await loop2.idle();
    detach();

    const done = (await loadAgentTrace(db, paused.id))!;
    expect(done.run.status).toBe('succeeded');
    expect(await customersIn('Milan')).toBe(0);
    const steps = Object.fromEntries(done.steps.map((s) => [s.stepKey, s]));
    expect(steps.purge.status).toBe('succeeded');
    expect(steps.note.status).toBe('succeeded');
    expect(steps.note.input?.text).toMatch(/^Milan customers purged: [1-9]/);
    // The resume did not plan again, and ran the critic once.
    expect(done.plans).toHaveLength(1);
    expect(critic.mock.doGenerateCalls).toHaveLength(1);
    // The list step ran exactly once across both processes.
    const runs = await db.query<{ skill_id: string }>(
      'SELECT skill_id FROM runs WHERE request_id = $1 ORDER BY created_at',
      [paused.id],
    );
    expect(runs.rows.map((r) => r.skill_id).sort()).toEqual([
      'crm.delete_customers',
      'crm.find_customer',
      'memory.remember',
    ]);
  });

  it('finishes as failed with approval.denied when the approver says no', async () => {
    const loop = scriptedLoop(first, {
      planner: scriptedModel('planner', [
        plan([{ id: 'purge', skill: 'crm.delete_customers', input: { city: 'Lyon' } }]),
      ]),
    });
    const paused = await loop.ask({ principal: first.as('local'), request: 'delete the Lyon customers' });
    expect(paused.status).toBe('waiting_approval');
    await second.engine.decide({
      approvalId: paused.approvals[0].approvalId,
      principal: second.as('carol'),
      decision: 'deny',
      channel: 'test',
    });
    // A surface that does not attach a listener calls the hook itself.
    const r = await new AgentLoop(second, { models: {} }).onApprovalDecided(paused.approvals[0].approvalId);
    expect(r?.status).toBe('failed');
    expect(r?.error?.code).toBe('approval.denied');
    expect(await customersIn('Lyon')).toBeGreaterThan(0);
  });

  it('resumes runs decided while no process was listening (resumePending / resumeAgentRun)', async () => {
    const loop = scriptedLoop(first, {
      planner: scriptedModel('planner', [
        plan([{ id: 'purge', skill: 'crm.delete_customers', input: { city: 'Warsaw' } }]),
      ]),
    });
    const paused = await loop.ask({ principal: first.as('local'), request: 'delete the Warsaw customers' });
    await first.engine.decide({
      approvalId: paused.approvals[0].approvalId,
      principal: first.as('bob'),
      decision: 'approve',
      channel: 'cli',
    });
    const resumed = await new AgentLoop(second, { models: {} }).resumePending();
    expect(resumed.map((r) => [r.id, r.status])).toEqual([[paused.id, 'succeeded']]);
    // Resuming again is harmless: the run is finished.
    const again = await resumeAgentRun(second, paused.id, { models: {} });
    expect(again.status).toBe('succeeded');
    expect(await customersIn('Warsaw')).toBe(0);
  });
});
