import { describe, expect, it } from 'vitest';
import { createHandler } from '../../../src/tools/handlers/create-handler.js';
import { SqlConnectorPools } from '../../../src/tools/handlers/sql-connectors.js';
import { makeContext, makeSkill } from '../handlers/handler-test-kit.js';
import { tinyEngine } from './pipeline-test-kit.js';

const deps = { builtins: new Map(), connectors: new SqlConnectorPools() };

describe('pipeline preview', () => {
  it("returns the plan in layers with rendered inputs and each step's own dry-run preview", async () => {
    const engine = tinyEngine({
      // A read-only child runs for real in a dry run and returns its output.
      'crm.find_customer': (input) => ({ rows: [{ id: 7, name: input.q }] }),
      'crm.update_customer': () => undefined,
      'ops.notify': () => undefined,
    });
    // Like the engine: write children answer a dry run with a preview and no output.
    const invoke: typeof engine.invoke = async (req) => {
      const r = await engine.invoke(req);
      return req.skill === 'crm.find_customer'
        ? r
        : { ...r, output: undefined, preview: { would_change: req.input } };
    };
    const skill = makeSkill({
      id: 'crm.fix',
      effects: 'write',
      input: {
        type: 'object',
        properties: { q: { type: 'string' }, tier: { type: 'string' }, loud: { type: 'boolean' } },
      },
      handler: {
        type: 'pipeline',
        steps: [
          { id: 'find', uses: 'crm.find_customer', with: { q: '{{ input.q }}' } },
          {
            id: 'update',
            uses: 'crm.update_customer',
            with: { id: '{{ steps.find.output.rows[0].id }}', tier: '{{ input.tier }}' },
          },
          {
            id: 'announce',
            uses: 'ops.notify',
            needs: ['update'],
            with: { text: '{{ steps.update.output.tier }}' },
          },
          { id: 'shout', uses: 'ops.notify', if: 'input.loud' },
        ],
        on_failure: [{ id: 'undo', uses: 'ops.notify' }],
        concurrency: 3,
      },
    });
    const ctx = makeContext(skill, {
      input: { q: 'Ada', tier: 'premium', loud: false },
      mode: 'dry_run',
      invoke,
    });
    const plan = await createHandler(skill, deps).preview?.(ctx);
    expect(plan).toEqual({
      pipeline: 'crm.fix',
      concurrency: 3,
      layers: [
        [
          {
            id: 'find',
            uses: 'crm.find_customer',
            after: [],
            input: { q: 'Ada' },
            status: 'dry_run',
            output: { rows: [{ id: 7, name: 'Ada' }] },
          },
          { id: 'shout', uses: 'ops.notify', after: [], would_skip: true },
        ],
        [
          {
            id: 'update',
            uses: 'crm.update_customer',
            after: ['find'],
            input: { id: 7, tier: 'premium' },
            status: 'dry_run',
            preview: { would_change: { id: 7, tier: 'premium' } },
          },
        ],
        [{ id: 'announce', uses: 'ops.notify', after: ['update'], input_pending: true }],
      ],
      on_failure: [{ id: 'undo', uses: 'ops.notify' }],
    });
    expect(engine.calls.map((c) => [c.stepId, c.mode])).toEqual([
      ['find', 'dry_run'],
      ['update', 'dry_run'],
    ]);
    expect(ctx.steps).toEqual([]);
  });

  it('records a failing child dry run in its step instead of throwing', async () => {
    const skill = makeSkill({ handler: { type: 'pipeline', steps: [{ id: 'a', uses: 'ops.gone' }] } });
    const engine = tinyEngine({});
    const plan = (await createHandler(skill, deps).preview?.(
      makeContext(skill, { invoke: engine.invoke }),
    )) as {
      layers: { error?: { code: string } }[][];
    };
    expect(plan.layers[0][0].error?.code).toBe('skill.not_found');
  });
});
