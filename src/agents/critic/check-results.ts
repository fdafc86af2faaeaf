import { formatIssues } from '../../tools/json-schema-subset.js';
import type { SkillRegistry } from '../../tools/registry.js';
import { evaluateCondition } from '../../tools/template/index.js';
import type { StepView } from '../execute/execute-plan.js';
import type { CriticVerdict } from '../plan/plan-schema.js';

/** One deterministic check of a step's result. */
export interface ResultCheck {
  step: string;
  ok: boolean;
  what: string;
}

/**
 * The deterministic checks of executed steps: each output against the skill's declared output
 * schema, and each of the step's `expect` conditions (template conditions over `output`, `input`
 * and `steps`, e.g. `output.customers | length > 0`).
 */
export function checkResults(views: StepView[], registry: SkillRegistry): ResultCheck[] {
  const checks: ResultCheck[] = [];
  const steps = Object.fromEntries(views.map((v) => [v.step.id, { output: v.output, status: v.status }]));
  for (const v of views) {
    if (v.status !== 'succeeded') {
      checks.push({ step: v.step.id, ok: false, what: `${v.step.skill} did not succeed (${v.status})` });
      continue;
    }
    const skill = registry.get(v.step.skill);
    const outputs = v.instances.filter((i) => i.status === 'succeeded' || i.status === 'reused');
    if (skill?.outputSchema) {
      const bad = outputs
        .map((i) => ({ key: i.stepKey, r: skill.outputSchema!.safeParse(i.output) }))
        .filter((x) => !x.r.success);
      checks.push(
        bad.length === 0
          ? { step: v.step.id, ok: true, what: `${v.step.skill}: output matches its schema` }
          : {
              step: v.step.id,
              ok: false,
              what: `${bad[0].key}: output does not match the schema of ${v.step.skill}: ${formatIssues(bad[0].r.error!)}`,
            },
      );
    } else {
      checks.push({
        step: v.step.id,
        ok: true,
        what: `${v.step.skill} succeeded (no output schema declared)`,
      });
    }
    for (const cond of v.step.expect ?? []) {
      let ok = false;
      try {
        ok = evaluateCondition(cond, { output: v.output, input: v.instances[0]?.input ?? {}, steps });
      } catch {
        ok = false;
      }
      checks.push({ step: v.step.id, ok, what: `expectation "${cond}" ${ok ? 'holds' : 'does not hold'}` });
    }
  }
  return checks;
}

/**
 * The critic without a model: approve when every check passes; otherwise escalate to a human
 * with the failed checks (a deterministic planner cannot revise its own plan).
 */
export function offlineCritique(checks: ResultCheck[]): CriticVerdict {
  const failed = checks.filter((c) => !c.ok);
  if (failed.length === 0) {
    return {
      verdict: 'approve',
      reasons: checks.map((c) => `${c.step}: ${c.what}`),
      summary: 'Every step succeeded and its checks hold.',
    };
  }
  return {
    verdict: 'escalate',
    reasons: failed.map((c) => `${c.step}: ${c.what}`),
    summary: `The results need a human look: ${failed.map((c) => `${c.step}: ${c.what}`).join('; ')}.`,
  };
}
