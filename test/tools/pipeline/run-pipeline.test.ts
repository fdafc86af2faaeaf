import { describe, expect, it } from 'vitest';
import { SkillgateError } from '../../../src/core/errors.js';
import { createHandler } from '../../../src/tools/handlers/create-handler.js';
import { SqlConnectorPools } from '../../../src/tools/handlers/sql-connectors.js';
import { caught, makeContext, makeSkill } from '../handlers/handler-test-kit.js';
import { sleep, tinyEngine } from './pipeline-test-kit.js';

const deps = { builtins: new Map(), connectors: new SqlConnectorPools() };

function pipeline(handler: Record<string, unknown>) {
  const skill = makeSkill({
    id: 'test.pipe',
    input: { type: 'object', properties: { who: { type: 'string' }, notify: { type: 'boolean' } } },
    handler: { type: 'pipeline', ...handler },
  });
  return { skill, handler: createHandler(skill, deps) };
}

describe('pipeline runner', () => {
  it('runs independent steps in parallel, bounded by concurrency', async () => {
    const engine = tinyEngine({ 'test.slow': async () => sleep(120).then(() => 'done') });
    const steps = ['a', 'b', 'c', 'd'].map((id) => ({ id, uses: 'test.slow' }));
    const { skill, handler } = pipeline({ steps, concurrency: 2 });
    const t0 = Date.now();
    await handler.run(makeContext(skill, { invoke: engine.invoke }));
    const took = Date.now() - t0;
    expect(engine.maxRunning).toBe(2);
    // Two waves of 120 ms, not four.
    expect(took).toBeGreaterThanOrEqual(230);
    expect(took).toBeLessThan(450);
    const [a, b] = engine.calls;
    expect(b.start).toBeLessThan(a.end as number);
  });

  it('passes typed outputs between steps through templates, waiting for the steps they read', async () => {
    const engine = tinyEngine({
      'test.find': async (input) =>
        sleep(30).then(() => ({ rows: [{ id: 1, name: `${input.q}-1` }, { id: 2 }] })),
      'test.count': (input) => ({ n: (input.rows as unknown[]).length, first: input.first }),
    });
    const { skill, handler } = pipeline({
      steps: [
        // Declared first, but it reads steps.find, so it runs after it without `needs`.
        {
          id: 'count',
          uses: 'test.count',
          with: { rows: '{{ steps.find.output.rows }}', first: '{{ steps.find.output.rows[0].name }}' },
        },
        { id: 'find', uses: 'test.find', with: { q: '{{ input.who }}' } },
      ],
      output: {
        total: '{{ steps.count.output.n }}',
        summary: 'found {{ steps.count.output.n }} for {{ input.who }}',
      },
    });
    const ctx = makeContext(skill, { input: { who: 'ada' }, invoke: engine.invoke });
    const result = await handler.run(ctx);
    expect(result.output).toEqual({ total: 2, summary: 'found 2 for ada' });
    expect(engine.calls.map((c) => [c.stepId, c.skill, c.mode])).toEqual([
      ['find', 'test.find', 'execute'],
      ['count', 'test.count', 'execute'],
    ]);
    expect(engine.calls[1].input).toEqual({ rows: [{ id: 1, name: 'ada-1' }, { id: 2 }], first: 'ada-1' });
    expect(ctx.steps.map((s) => `${s.stepId}:${s.status}`)).toEqual([
      'find:running',
      'find:succeeded',
      'count:running',
      'count:succeeded',
    ]);
    const done = ctx.steps[1];
    expect(done.childRunId).toBe('run_child_1');
    expect(done.output).toEqual({ rows: [{ id: 1, name: 'ada-1' }, { id: 2 }] });
    expect((done.finishedAt as Date).getTime()).toBeGreaterThanOrEqual(
      (done.startedAt as Date).getTime() + 25,
    );
  });

  it('fails fast: skips steps not started, runs on_failure in order with the error, and throws', async () => {
    const engine = tinyEngine({
      'test.check': () => ({ ok: true }),
      'test.deploy': async () => {
        await sleep(20);
        throw new SkillgateError('handler.command_failed', 'deploy script exited 2');
      },
      'test.slow': () => sleep(80).then(() => 'warmed'),
      'test.verify': () => 'verified',
      'test.rollback': (input) => ({ rolled_back: input.reason }),
      'test.notify': (input) => ({ sent: input.text }),
    });
    const { skill, handler } = pipeline({
      steps: [
        { id: 'check', uses: 'test.check' },
        { id: 'deploy', uses: 'test.deploy', needs: ['check'] },
        { id: 'warm', uses: 'test.slow', needs: ['check'] },
        { id: 'verify', uses: 'test.verify', needs: ['deploy', 'warm'] },
        { id: 'later', uses: 'test.verify', needs: ['warm'] },
      ],
      on_failure: [
        { id: 'rollback', uses: 'test.rollback', with: { reason: '{{ error.step }}: {{ error.code }}' } },
        {
          id: 'tell',
          uses: 'test.notify',
          with: { text: 'rolled back: {{ steps.rollback.output.rolled_back }}' },
        },
      ],
    });
    const ctx = makeContext(skill, { invoke: engine.invoke });
    const err = await caught(() => handler.run(ctx));
    expect(err.code).toBe('pipeline.step_failed');
    expect(err.message).toContain(
      'step "deploy" (test.deploy): handler.command_failed: deploy script exited 2',
    );
    expect(err.details).toMatchObject({
      step: 'deploy',
      cause_code: 'handler.command_failed',
      child_run_id: 'run_child_2',
      on_failure: 'succeeded',
    });
    // `warm` was already running and finished; `verify` and `later` never started.
    expect(engine.calls.map((c) => c.stepId)).toEqual(['check', 'deploy', 'warm', 'rollback', 'tell']);
    expect(engine.calls[3].input).toEqual({ reason: 'deploy: handler.command_failed' });
    expect(engine.calls[4].input).toEqual({ text: 'rolled back: deploy: handler.command_failed' });
    const final = Object.fromEntries(
      ctx.steps.filter((s) => s.status !== 'running').map((s) => [s.stepId, s.status]),
    );
    expect(final).toEqual({
      check: 'succeeded',
      deploy: 'failed',
      warm: 'succeeded',
      verify: 'skipped',
      later: 'skipped',
      rollback: 'succeeded',
      tell: 'succeeded',
    });
  });

  it('keeps running the remaining on_failure steps when one of them fails', async () => {
    const engine = tinyEngine({
      'test.boom': () => {
        throw new SkillgateError('skill.failed', 'boom');
      },
      'test.ok': () => 'ok',
    });
    const { skill, handler } = pipeline({
      steps: [{ id: 'a', uses: 'test.boom' }],
      on_failure: [
        { id: 'undo', uses: 'test.boom' },
        { id: 'page', uses: 'test.ok' },
      ],
    });
    const err = await caught(() => handler.run(makeContext(skill, { invoke: engine.invoke })));
    expect(err.details?.on_failure).toBe('failed');
    expect(err.message).toContain('on_failure steps failed: undo');
    expect(engine.calls.map((c) => c.stepId)).toEqual(['a', 'undo', 'page']);
  });

  it('skips a step whose if: is false, and still runs the steps after it', async () => {
    const engine = tinyEngine({ 'test.ok': (input) => input });
    const { skill, handler } = pipeline({
      steps: [
        { id: 'notify', uses: 'test.ok', if: 'input.notify', with: { to: '{{ input.who }}' } },
        { id: 'loud', uses: 'test.ok', if: "{{ input.who == 'ada' && !input.notify }}" },
        { id: 'after', uses: 'test.ok', needs: ['notify'], with: { notified: '{{ steps.notify.status }}' } },
      ],
    });
    const ctx = makeContext(skill, { input: { who: 'ada', notify: false }, invoke: engine.invoke });
    const result = await handler.run(ctx);
    expect(engine.calls.map((c) => c.stepId)).toEqual(['loud', 'after']);
    expect(engine.calls[1].input).toEqual({ notified: 'skipped' });
    expect(ctx.steps.find((s) => s.stepId === 'notify')?.status).toBe('skipped');
    expect(result.output).toEqual({ steps: { loud: {}, after: { notified: 'skipped' } } });
  });

  it('stops with a clear error when a child waits for its own approval', async () => {
    const calls: string[] = [];
    const { skill, handler } = pipeline({
      steps: [
        { id: 'purge', uses: 'test.purge' },
        { id: 'report', uses: 'test.report', needs: ['purge'] },
      ],
    });
    const ctx = makeContext(skill, {
      invoke: async (req) => {
        calls.push(req.stepId);
        return { runId: 'run_child_9', status: 'pending_approval' };
      },
    });
    const err = await caught(() => handler.run(ctx));
    expect(err.code).toBe('pipeline.step_failed');
    expect(err.message).toContain('pipelines are approved as a whole');
    expect(err.details).toMatchObject({
      step: 'purge',
      cause_code: 'approval.required',
      child_run_id: 'run_child_9',
    });
    expect(calls).toEqual(['purge']);
    expect(ctx.steps.map((s) => `${s.stepId}:${s.status}`)).toEqual([
      'purge:running',
      'purge:pending_approval',
      'report:skipped',
    ]);
  });

  it('starts no new step after the run is aborted and throws the abort reason', async () => {
    const controller = new AbortController();
    const engine = tinyEngine({
      'test.first': async () => {
        controller.abort(new SkillgateError('skill.timeout', 'too slow'));
        return 1;
      },
      'test.second': () => 2,
    });
    const { skill, handler } = pipeline({
      steps: [
        { id: 'one', uses: 'test.first' },
        { id: 'two', uses: 'test.second', needs: ['one'] },
      ],
    });
    const ctx = makeContext(skill, { invoke: engine.invoke, signal: controller.signal });
    const err = await caught(() => handler.run(ctx));
    expect(err.code).toBe('skill.timeout');
    expect(engine.calls.map((c) => c.stepId)).toEqual(['one']);
    expect(ctx.steps.at(-1)).toMatchObject({ stepId: 'two', status: 'skipped' });
  });

  it('treats a thrown invoke as a step failure', async () => {
    const { skill, handler } = pipeline({ steps: [{ id: 'a', uses: 'test.any' }] });
    const ctx = makeContext(skill, {
      invoke: async () => {
        throw new SkillgateError('policy.denied', 'no crm.delete for alice');
      },
    });
    const err = await caught(() => handler.run(ctx));
    expect(err.message).toContain('policy.denied: no crm.delete for alice');
  });
});
