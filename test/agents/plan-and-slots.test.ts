import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createChatModel, createRoleModels } from '../../src/agents/models/chat-models.js';
import type { EntityCatalog } from '../../src/agents/offline/entity-catalog.js';
import { findEntities } from '../../src/agents/offline/entity-catalog.js';
import { fillSlots } from '../../src/agents/offline/fill-slots.js';
import { cronIn } from '../../src/agents/offline/special-slots.js';
import { splitRequest } from '../../src/agents/offline/split-request.js';
import { validatePlan } from '../../src/agents/plan/validate-plan.js';
import { PromptLibrary } from '../../src/agents/prompts/prompt-library.js';
import { ModelsConfigSchema } from '../../src/core/config/models-config.js';
import { packageRoot } from '../../src/core/package-root.js';
import { SkillRegistry } from '../../src/tools/registry.js';

const registry = new SkillRegistry({
  dirs: [join(packageRoot(), 'skills')],
  makeHandler: () => ({ run: async () => ({ output: null }) }),
  validatePipeline: () => [],
});
registry.loadAll();
const input = (id: string) => registry.get(id)!.spec.input;
const today = new Date('2026-03-10T12:00:00Z');
const catalog: EntityCatalog = {
  companies: ['ACME Corp', 'Umbrella Corporation', 'Globex'],
  people: ['Pepper Potts', 'Bill Lumbergh'],
  cities: ['Palo Alto', 'Berlin'],
  owners: ['Aisha Khan'],
  services: ['payments'],
  emails: { 'Pepper Potts': 'pepper.potts@stark.example' },
};
const fill = (text: string, skill: string) =>
  fillSlots(text, input(skill), { entities: findEntities(text, catalog), today });

describe('offline slot filling against a skill input schema', () => {
  it('takes key=value pairs, e-mails, dates, numbers by the words around them and enum values', () => {
    expect(fill('set invoice #1002 to paid, they paid on 2026-03-02', 'invoices.mark_paid').input).toEqual({
      invoice: 1002,
      paid_on: '2026-03-02',
    });
    expect(fill('overdue invoices over 1,000 EUR, top 5', 'invoices.list_overdue').input).toEqual({
      min_amount: 1000,
      limit: 5,
    });
    expect(
      fill('hank@globex.example has a new address, hank.s@globex.example', 'crm.update_customer').input,
    ).toEqual({
      email: 'hank@globex.example',
      new_email: 'hank.s@globex.example',
    });
    expect(fill('list premium customers limit=3', 'crm.find_customer').input).toEqual({
      tier: 'premium',
      limit: 3,
    });
    expect(fill('invoice 1002 was paid yesterday', 'invoices.mark_paid').input).toEqual({
      invoice: 1002,
      paid_on: '2026-03-09',
    });
  });

  it('fills known entities: companies by a distinctive first word, people by full or last name, owners, services', () => {
    expect(fill('bump ACME to premium', 'crm.update_customer').input).toEqual({
      company: 'ACME Corp',
      tier: 'premium',
    });
    expect(fill('make Aisha Khan the account owner for Umbrella', 'crm.update_customer').input).toEqual({
      account_owner: 'Aisha Khan',
      company: 'Umbrella Corporation',
    });
    expect(fill('search the CRM for Lumbergh', 'crm.find_customer').input).toEqual({ name: 'Bill Lumbergh' });
    // A person where the skill has no name field is identified by their e-mail.
    expect(fill('update Pepper Potts phone to +1 555 0199', 'crm.update_customer').input).toEqual({
      email: 'pepper.potts@stark.example',
      phone: '+1 555 0199',
    });
    expect(fill('restart the payments service', 'ops.restart_service').input).toEqual({
      service: 'payments',
    });
  });

  it('reports missing required inputs instead of guessing them', () => {
    const r = fill('create a customer for Globex', 'crm.create_customer');
    expect(r.input).toEqual({ company: 'Globex' });
    expect(r.missing.map((m) => m.name)).toEqual(['name', 'email', 'city']);
  });

  it('takes free text for required text fields, and quoted strings first', () => {
    expect(fill('please remember that deploys are frozen on Fridays', 'memory.remember').input).toEqual({
      text: 'deploys are frozen on Fridays',
    });
    expect(fill('store "ACME pays late" for the team', 'memory.remember').input).toEqual({
      text: 'ACME pays late',
      scope: 'org',
    });
  });

  it('reads code, its language, and schedules in words', () => {
    expect(fill('canonicalize this python: def f(a): return a', 'code.canonicalize').input).toEqual({
      code: 'def f(a): return a',
      language: 'python',
    });
    expect(cronIn('every Monday at 9am')).toBe('0 9 * * 1');
    expect(cronIn('every weekday at 6:30pm')).toBe('30 18 * * 1-5');
    expect(cronIn('every 15 minutes')).toBe('*/15 * * * *');
    expect(cronIn('every Monday')).toBeUndefined();
  });

  it('splits requests into clauses and recognises "<action> everyone with <condition>"', () => {
    expect(splitRequest('weekly summary, then save its headline to memory').clauses).toEqual([
      'weekly summary',
      'save its headline to memory',
    ]);
    expect(splitRequest('remind everyone with an overdue invoice over 1,000 EUR').quantified).toEqual({
      action: 'remind',
      filter: 'an overdue invoice over 1,000 EUR',
    });
    expect(splitRequest('check this: int f() { a; then(); }').clauses).toHaveLength(1);
  });
});

describe('plan validation', () => {
  const v = (steps: unknown[]) =>
    validatePlan({ goal: 'g', rationale: 'r', steps } as never, {
      registry,
      maxSteps: 4,
      offered: ['crm.find_customer'],
    });

  it('rejects unknown and internal skills, naming the offered ones', () => {
    const r = v([
      { id: 's1', skill: 'crm.find_everything', input: {}, needs: [] },
      { id: 's2', skill: 'crm.new_customers', input: {}, needs: [] },
    ]);
    expect(r.issues).toEqual([
      'step s1: unknown skill "crm.find_everything". Use one of: crm.find_customer.',
      'step s2: crm.new_customers is internal (a pipeline step only). Use one of: crm.find_customer.',
    ]);
  });

  it('checks the known input against the skill schema but leaves templated fields to run time', () => {
    const r = v([
      { id: 'a', skill: 'invoices.list_overdue', input: { min_amount: -5 }, needs: [] },
      { id: 'b', skill: 'invoices.mark_paid', input: { invoice: '{{ steps.a.output.invoices[0].number }}' } },
    ]);
    expect(r.issues).toEqual([
      expect.stringMatching(/^step a \(invoices\.list_overdue\): input min_amount: /),
    ]);
    // `needs` is completed from the template's reference.
    expect(r.plan.steps[1].needs).toEqual(['a']);
  });

  it('rejects cycles, unknown references, too many steps and item without for_each', () => {
    const loop = v([
      { id: 'a', skill: 'crm.find_customer', input: {}, needs: ['b'] },
      { id: 'b', skill: 'crm.find_customer', input: { query: '{{ steps.a.output.x }}' } },
    ]);
    expect(loop.issues).toContain('steps a -> b -> a form a cycle');
    const refs = v([
      { id: 'a', skill: 'crm.find_customer', input: { query: '{{ item.name }}' }, needs: ['zz'] },
    ]);
    expect(refs.issues).toEqual([
      'step a uses {{ item }} but has no for_each',
      'step a needs unknown step zz',
    ]);
    const many = v(
      Array.from({ length: 5 }, (_, i) => ({ id: `s${i}`, skill: 'crm.find_customer', input: {} })),
    );
    expect(many.issues).toEqual(['the plan has 5 steps; at most 4 are allowed']);
  });
});

describe('prompts and model configuration', () => {
  it('loads the four versioned prompt templates and renders their declared arguments', () => {
    const prompts = new PromptLibrary();
    expect(
      ['planner', 'executor', 'critic', 'synthesizer'].map((n) => prompts.get(n as 'planner').ref),
    ).toEqual(['planner@1.1.0', 'executor@1.1.0', 'critic@1.1.0', 'synthesizer@1.1.0']);
    const r = prompts.render('critic', { request: 'x', goal: 'y', results: { a: 1 } });
    expect(r.text).toContain('Request: x');
    expect(r.text).toContain('"a": 1');
    expect(r.text).toContain('Round: (none)');
    expect(() => prompts.render('critic', { request: 'x' })).toThrow(/needs the argument "goal"/);
  });

  it('builds a model per role from one default, and requires the provider key', () => {
    const config = ModelsConfigSchema.parse({
      default: { provider: 'openai-compatible', model: 'llama3', base_url: 'http://127.0.0.1:11434/v1' },
      critic: { provider: 'anthropic', model: 'claude-x', api_key_env: 'K' },
      fallback: { provider: 'openai', model: 'gpt-4o-mini' },
    });
    const models = createRoleModels(config, { secret: (n) => ({ K: 'k', OPENAI_API_KEY: 'o' })[n] });
    expect(Object.fromEntries(Object.entries(models).map(([role, m]) => [role, m.name]))).toEqual({
      planner: 'openai-compatible:llama3',
      executor: 'openai-compatible:llama3',
      critic: 'anthropic:claude-x',
      synthesizer: 'openai-compatible:llama3',
      fallback: 'openai:gpt-4o-mini',
    });
    expect(createRoleModels(ModelsConfigSchema.parse({}))).toEqual({});
    expect(() => createChatModel(config.fallback!, { secret: () => undefined })).toThrow(
      /set OPENAI_API_KEY/,
    );
    expect(
      ModelsConfigSchema.safeParse({ default: { provider: 'openai-compatible', model: 'x' } }).success,
    ).toBe(false);
  });
});
