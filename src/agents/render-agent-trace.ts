import type { Db } from '../db/db.js';
import type {
  AgentRunRecord,
  AgentStepRecord,
  CritiqueRecord,
  ModelCallRecord,
  PlanRecord,
} from './agent-types.js';
import { getAgentRun } from './store/agent-store.js';
import { listAgentSteps } from './store/step-store.js';
import { listCritiques, listModelCalls, listPlans } from './store/trace-store.js';

/** Everything recorded about an agent run. */
export interface AgentTrace {
  run: AgentRunRecord;
  plans: PlanRecord[];
  steps: AgentStepRecord[];
  critiques: CritiqueRecord[];
  modelCalls: ModelCallRecord[];
}

/** Loads an agent run's trace (tenant-confined when `tenant` is given); undefined when unknown. */
export async function loadAgentTrace(
  db: Db,
  agentRunId: string,
  tenant?: string,
): Promise<AgentTrace | undefined> {
  const run = await getAgentRun(db, agentRunId, tenant);
  if (!run) return undefined;
  const [plans, steps, critiques, modelCalls] = [
    await listPlans(db, run.id),
    await listAgentSteps(db, run.id),
    await listCritiques(db, run.id),
    await listModelCalls(db, run.id),
  ];
  return { run, plans, steps, critiques, modelCalls };
}

const MARK: Record<string, string> = {
  succeeded: '✓',
  reused: '↺',
  failed: '✗',
  waiting_approval: '⏸',
  running: '…',
  pending: '·',
  skipped: '-',
};

function ms(n: number | null | undefined): string {
  if (n === null || n === undefined) return '';
  return n >= 1000 ? `${(n / 1000).toFixed(1)}s` : `${n}ms`;
}

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Lines of a tree: `items` rendered under `prefix` with ├─ / └─ branches. */
function branch(lines: string[], prefix: string, items: { head: string; children?: string[] }[]): void {
  items.forEach((item, i) => {
    const last = i === items.length - 1;
    lines.push(`${prefix}${last ? '└─ ' : '├─ '}${item.head}`);
    const sub = `${prefix}${last ? '   ' : '│  '}`;
    (item.children ?? []).forEach((c, j) => {
      lines.push(`${sub}${j === (item.children?.length ?? 0) - 1 ? '└─ ' : '├─ '}${c}`);
    });
  });
}

/**
 * An agent run's trace as a readable tree with timings: each plan version (prompt, validity,
 * issues) with its step executions (status, engine run, approval, duration), the critic verdicts,
 * the model calls (role, model, prompt version, tokens, cost, latency), then the outcome. For
 * `skillgate runs show <agt_...>`; `maxWidth` cuts long lines (default 160).
 */
export function renderAgentTrace(trace: AgentTrace, options: { maxWidth?: number } = {}): string {
  const width = options.maxWidth ?? 160;
  const { run } = trace;
  const lines: string[] = [];
  const tokens = `${run.inputTokens}/${run.outputTokens} tokens, $${run.costUsd.toFixed(4)}`;
  lines.push(`agent ${run.id}  ${run.status}  (${run.mode})  ${ms(run.durationMs)}  ${tokens}`);
  lines.push(`request: "${run.request}"  by ${run.principal} via ${run.channel}`);
  if (run.goal) lines.push(`goal: ${run.goal}`);
  const items: { head: string; children?: string[] }[] = [];
  for (const p of trace.plans) {
    const head = `plan v${p.version}.${p.attempt} (${p.prompt}, ${p.reason}) ${p.valid ? 'valid' : 'REJECTED'}: ${p.plan.steps.length} step${p.plan.steps.length === 1 ? '' : 's'}`;
    const children: string[] = p.issues.map((x) => `issue: ${x}`);
    if (p.plan.clarification) children.push(`asks: ${p.plan.clarification}`);
    if (p.valid) {
      for (const s of trace.steps.filter((x) => x.planVersion === p.version)) {
        const parts = [
          `${MARK[s.status] ?? '?'} ${s.stepKey} ${s.skillId} ${s.status}`,
          ms(s.durationMs),
          s.runId ? `run ${s.runId}` : '',
          s.approvalId ? `approval ${s.approvalId}` : '',
          s.error ? `${s.error.code}: ${s.error.message}` : '',
          s.prompt && s.prompt !== p.prompt ? `by ${s.prompt}` : '',
        ];
        children.push(parts.filter(Boolean).join('  '));
      }
    }
    items.push({ head, children });
  }
  for (const c of trace.critiques) {
    items.push({
      head: `critic round ${c.round} (${c.prompt}): ${c.verdict}`,
      children: [...c.reasons, ...(c.summary ? [`summary: ${c.summary}`] : [])],
    });
  }
  if (trace.modelCalls.length) {
    items.push({
      head: `model calls: ${trace.modelCalls.length}`,
      children: trace.modelCalls.map((m) =>
        [
          `${m.role} ${m.model}${m.fallback ? ' (fallback)' : ''} #${m.attempt} ${m.status}`,
          m.prompt,
          `${m.inputTokens}/${m.outputTokens} tok`,
          `$${m.usd.toFixed(5)}`,
          ms(m.latencyMs),
          m.errorCode ?? '',
        ]
          .filter(Boolean)
          .join('  '),
      ),
    });
  }
  branch(lines, '', items);
  if (run.question) lines.push(`question: ${run.question}`);
  if (run.escalation) lines.push(`escalated: ${run.escalation.summary}`);
  if (run.error) lines.push(`error ${run.error.code}: ${run.error.message}`);
  if (run.answer) lines.push('answer:', ...run.answer.split('\n').map((l) => `  ${l}`));
  return lines.map((l) => cut(l, width)).join('\n');
}
