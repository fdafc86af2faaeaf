import type { Principal } from '../../core/principal.js';
import type { SkillRegistry } from '../../tools/registry.js';
import type { AgentLoop } from '../agent-loop.js';
import type { AgentRunResult } from '../agent-types.js';
import type { AgentScenario } from './agent-scenario.js';

export interface ScenarioResult {
  id: string;
  kind: 'single' | 'multi';
  /** `unavailable`: a skill the scenario needs is not loaded (not counted in the success rate). */
  status: 'pass' | 'fail' | 'unavailable';
  outcome?: string;
  expected_outcome: string;
  skills: string[];
  /** Engine runs the final plan made (a `for_each` step counts once per item). */
  steps: number;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
  latency_ms: number;
  reasons: string[];
  agent_run?: string;
}

export interface RateLine {
  total: number;
  passed: number;
  rate: number;
}

export interface AgentEvalReport {
  mode: 'offline' | 'model';
  scenarios: ScenarioResult[];
  summary: {
    total: number;
    passed: number;
    failed: number;
    unavailable: number;
    /** passed / (total - unavailable). */
    success_rate: number;
    single: RateLine;
    multi: RateLine;
    input_tokens: number;
    output_tokens: number;
    cost_usd: number;
    avg_latency_ms: number;
  };
}

export interface RunAgentEvalsOptions {
  loop: AgentLoop;
  registry: SkillRegistry;
  principal: (id: string) => Principal;
  /** Called after each scenario (progress). */
  onResult?: (r: ScenarioResult) => void;
}

function matches(expected: unknown, actual: unknown): boolean {
  if (typeof expected === 'string' && typeof actual === 'string') {
    return actual.toLowerCase().includes(expected.toLowerCase());
  }
  if (typeof expected === 'number') return Number(actual) === expected;
  return JSON.stringify(expected) === JSON.stringify(actual);
}

/** Why a run does not meet a scenario's expectations (empty: it does). */
export function judge(s: AgentScenario, r: AgentRunResult): string[] {
  const reasons: string[] = [];
  if (r.status !== s.expect.outcome) {
    reasons.push(`outcome ${r.status}${r.error ? ` (${r.error.code})` : ''}, expected ${s.expect.outcome}`);
  }
  const used = [...new Set((r.plan?.steps ?? []).map((x) => x.skill))].sort();
  const want = [...new Set(s.expect.skills)].sort();
  if (JSON.stringify(used) !== JSON.stringify(want))
    reasons.push(`skills [${used.join(', ')}], expected [${want.join(', ')}]`);
  for (const [skill, inputs] of Object.entries(s.expect.inputs)) {
    const runs = r.steps.filter((x) => x.skillId === skill);
    for (const [key, value] of Object.entries(inputs)) {
      if (!runs.some((x) => matches(value, x.input?.[key]))) {
        const got = runs.map((x) => JSON.stringify(x.input?.[key])).join(' | ') || 'no run';
        reasons.push(`${skill}.${key} = ${got}, expected ${JSON.stringify(value)}`);
      }
    }
  }
  const answer = (r.answer ?? '').toLowerCase();
  for (const w of s.expect.answer_contains)
    if (!answer.includes(w.toLowerCase())) reasons.push(`answer lacks "${w}"`);
  const question = (r.question ?? '').toLowerCase();
  for (const w of s.expect.question_contains)
    if (!question.includes(w.toLowerCase())) reasons.push(`question lacks "${w}"`);
  return reasons;
}

const rate = (xs: ScenarioResult[]): RateLine => {
  const counted = xs.filter((x) => x.status !== 'unavailable');
  const passed = counted.filter((x) => x.status === 'pass').length;
  return {
    total: counted.length,
    passed,
    rate: counted.length ? Math.round((passed / counted.length) * 1000) / 1000 : 0,
  };
};

/**
 * Runs each scenario through the agent loop (sequentially, as its principal) and judges it:
 * outcome, skills of the final plan, key inputs, answer or question words. A scenario needing a
 * skill that is not loaded is `unavailable`, never passed. Reports per scenario the steps, tokens,
 * cost and latency, and the success rates overall, single-skill and multi-step.
 */
export async function runAgentEvals(
  scenarios: AgentScenario[],
  o: RunAgentEvalsOptions,
): Promise<AgentEvalReport> {
  const results: ScenarioResult[] = [];
  for (const s of scenarios) {
    const kind = s.kind ?? (s.expect.skills.length > 1 ? 'multi' : 'single');
    const base = { id: s.id, kind, expected_outcome: s.expect.outcome };
    const missing = (s.expect.requires ?? s.expect.skills).filter((id) => !o.registry.get(id));
    let result: ScenarioResult;
    if (missing.length) {
      result = {
        ...base,
        status: 'unavailable',
        skills: [],
        steps: 0,
        input_tokens: 0,
        output_tokens: 0,
        cost_usd: 0,
        latency_ms: 0,
        reasons: [`not loaded: ${missing.join(', ')}`],
      };
    } else {
      const started = performance.now();
      const r = await o.loop.ask({
        principal: o.principal(s.principal),
        request: s.request,
        channel: 'eval',
      });
      const reasons = judge(s, r);
      result = {
        ...base,
        status: reasons.length ? 'fail' : 'pass',
        outcome: r.status,
        skills: [...new Set((r.plan?.steps ?? []).map((x) => x.skill))],
        steps: r.steps.filter((x) => x.runId).length,
        input_tokens: r.inputTokens,
        output_tokens: r.outputTokens,
        cost_usd: r.costUsd,
        latency_ms: Math.round(performance.now() - started),
        reasons,
        agent_run: r.id,
      };
    }
    results.push(result);
    o.onResult?.(result);
  }
  const ran = results.filter((x) => x.status !== 'unavailable');
  const all = rate(results);
  return {
    mode: o.loop.mode,
    scenarios: results,
    summary: {
      total: results.length,
      passed: all.passed,
      failed: ran.length - all.passed,
      unavailable: results.length - ran.length,
      success_rate: all.rate,
      single: rate(results.filter((x) => x.kind === 'single')),
      multi: rate(results.filter((x) => x.kind === 'multi')),
      input_tokens: ran.reduce((a, x) => a + x.input_tokens, 0),
      output_tokens: ran.reduce((a, x) => a + x.output_tokens, 0),
      cost_usd: Math.round(ran.reduce((a, x) => a + x.cost_usd, 0) * 1e6) / 1e6,
      avg_latency_ms: ran.length ? Math.round(ran.reduce((a, x) => a + x.latency_ms, 0) / ran.length) : 0,
    },
  };
}
