import { describe, expect, it } from 'vitest';
import { validatePipeline, validatePipelineSkill } from '../../../src/tools/pipeline/validate-pipeline.js';
import { PipelineHandlerSchema } from '../../../src/tools/skill-spec.js';
import { makeSkill } from '../handlers/handler-test-kit.js';

const known = new Set(['crm.find_customer', 'invoices.list_overdue', 'ops.notify', 'ops.rollback']);
const spec = (value: Record<string, unknown>) => PipelineHandlerSchema.parse({ type: 'pipeline', ...value });

describe('validatePipeline', () => {
  it('accepts a valid DAG with on_failure steps reading main steps and the error', () => {
    const problems = validatePipeline(
      spec({
        steps: [
          { id: 'find', uses: 'crm.find_customer', with: { q: '{{ input.q }}' } },
          {
            id: 'overdue',
            uses: 'invoices.list_overdue',
            with: { ids: '{{ steps.find.output.rows | length }}' },
          },
          {
            id: 'notify',
            uses: 'ops.notify',
            needs: ['overdue'],
            if: 'steps.overdue.output.rows | length > 0',
          },
        ],
        on_failure: [
          {
            id: 'undo',
            uses: 'ops.rollback',
            with: { why: '{{ error.message }}', last: '{{ steps.notify.status }}' },
          },
          { id: 'tell', uses: 'ops.notify', with: { text: '{{ steps.undo.output }}' } },
        ],
        output: { overdue: '{{ steps.overdue.output.rows }}' },
      }),
      known,
    );
    expect(problems).toEqual([]);
  });

  it('reports unknown skills, unknown needs and duplicate ids', () => {
    const problems = validatePipeline(
      spec({
        steps: [
          { id: 'a', uses: 'crm.find_customer', needs: ['ghost'] },
          { id: 'a', uses: 'crm.nope' },
        ],
        on_failure: [{ id: 'b', uses: 'ops.unknown' }],
      }),
      known,
    );
    expect(problems).toEqual([
      'duplicate step id "a"',
      'step "a" needs unknown step "ghost"',
      'step "a" uses unknown skill "crm.nope"',
      'on_failure step "b" uses unknown skill "ops.unknown"',
    ]);
  });

  it('reports a cycle with its path, including dependencies made by templates', () => {
    const problems = validatePipeline(
      spec({
        steps: [
          { id: 'a', uses: 'ops.notify', needs: ['c'] },
          { id: 'b', uses: 'ops.notify', with: { x: '{{ steps.a.output }}' } },
          { id: 'c', uses: 'ops.notify', if: "steps.b.output.ok == 'yes'" },
          { id: 'd', uses: 'ops.notify' },
        ],
      }),
      known,
    );
    expect(problems).toEqual(['cycle: a -> c -> b -> a']);
  });

  it('reports template syntax errors, unknown filters and references to unknown steps', () => {
    const problems = validatePipeline(
      spec({
        steps: [
          { id: 'a', uses: 'ops.notify', with: { x: '{{ input.x | shout }}', y: '{{ steps.zz.output }}' } },
          { id: 'b', uses: 'ops.notify', if: 'input.x ==' },
        ],
        on_failure: [
          { id: 'c', uses: 'ops.rollback', with: { z: '{{ steps.later.output }}' } },
          { id: 'later', uses: 'ops.notify' },
        ],
        output: '{{ steps.nope.output }}',
      }),
      known,
    );
    expect(problems).toHaveLength(5);
    expect(problems[0]).toMatch(/^step "a" with: .*unknown filter "shout"/);
    expect(problems[1]).toBe('step "a" reads steps.zz, which is not a step it can see');
    expect(problems[2]).toMatch(/^step "b" if: .*unexpected end/);
    expect(problems[3]).toBe('on_failure step "c" reads steps.later, which is not a step it can see');
    expect(problems[4]).toBe('output reads steps.nope, which is not a step');
  });

  it('refuses a pipeline that uses itself, and ignores skills that are not pipelines', () => {
    const self = makeSkill({
      id: 'ops.loop',
      handler: { type: 'pipeline', steps: [{ id: 'a', uses: 'ops.loop' }] },
    });
    expect(validatePipelineSkill(self, new Set(['ops.loop']))).toEqual(['step "a" uses the pipeline itself']);
    expect(validatePipeline(self.spec, new Set(['ops.loop']))).toEqual(['step "a" uses the pipeline itself']);
    const plain = makeSkill({ handler: { type: 'builtin', name: 'x' } });
    expect(validatePipelineSkill(plain, new Set())).toEqual([]);
    expect(validatePipeline(plain.spec, new Set())).toEqual([]);
  });
});
