import type { Config } from '../../core/config/config-schema.js';
import type { Engine } from '../../core/engine.js';
import { inputHash } from '../../core/hash.js';
import type { Principal } from '../../core/principal.js';
import type { RunRecord } from '../../core/records/run-record.js';
import type { RunErrorInfo, RunResult } from '../../core/run-request.js';
import type { Db } from '../../db/db.js';
import type { SkillRegistry } from '../../tools/registry.js';
import type { AgentEvent, AgentStepRecord } from '../agent-types.js';
import type { ModelCallContext } from '../models/call-model.js';
import type { PlanStep } from '../plan/plan-schema.js';
import type { PromptLibrary } from '../prompts/prompt-library.js';
import { upsertAgentStep } from '../store/step-store.js';

/** What executing a plan needs: the engine (every step passes its gates) and the run's identity. */
export interface ExecuteContext {
  engine: Engine;
  db: Db;
  registry: SkillRegistry;
  config: Config;
  principal: Principal;
  agentRunId: string;
  /**
   * The agent ask's idempotency key, if it had one: each engine run then carries
   * `<key>:step:<plan version>:<step key>:<attempt>` (scope: the principal), else
   * `<agent run>:<plan version>:<step key>:<attempt>` scoped to the agent run.
   */
  idempotencyKey?: string;
  planVersion: number;
  /** The prompt that produced the plan (`planner@1.1.0`, `offline-planner@1`). */
  planPrompt: string;
  request: string;
  signal?: AbortSignal;
  onEvent?: (e: AgentEvent) => void;
  /** The executor model, when one is configured (steps with `derive`). */
  model?: { ctx: ModelCallContext; prompts: PromptLibrary };
  clock: () => Date;
}

/** Errors worth one more try of a read-only or idempotent step. */
const TRANSIENT = new Set(['skill.timeout', 'storage.unavailable', 'rate.limited', 'handler.http_failed']);

function errorOf(code: string, message: string): RunErrorInfo {
  return { code, id: code.toUpperCase().replace(/\./g, '_'), message, hint: '', details: {} };
}

/** The step status an engine result maps to. */
export function fromRunResult(rec: AgentStepRecord, r: RunResult | RunRecord, now: Date): AgentStepRecord {
  const out: AgentStepRecord = { ...rec, runId: 'runId' in r ? r.runId : r.id };
  if (r.status === 'succeeded')
    return { ...out, status: 'succeeded', output: r.output, error: null, finishedAt: now };
  if (r.status === 'pending_approval' || r.status === 'waiting_approval') {
    const approvalId = 'approval' in r && r.approval ? r.approval.id : (r as RunRecord).approvalId;
    return { ...out, status: 'waiting_approval', approvalId: approvalId ?? rec.approvalId };
  }
  if (r.status === 'running') return { ...out, status: 'running' };
  const error =
    (r.error as RunErrorInfo | undefined) ??
    (r.status === 'expired'
      ? errorOf('approval.expired', `The approval of ${rec.skillId} expired before anyone decided.`)
      : errorOf('skill.failed', `${rec.skillId} ended ${r.status}.`));
  return { ...out, status: 'failed', error, finishedAt: now };
}

export interface InstanceRequest {
  step: PlanStep;
  key: string;
  itemIndex?: number;
  input: Record<string, unknown>;
  prompt: string;
  /** Succeeded executions of earlier plan versions: the same skill and input is reused, not re-run. */
  previous: AgentStepRecord[];
}

function emit(ctx: ExecuteContext, type: 'step_started' | 'step_finished', rec: AgentStepRecord): void {
  ctx.onEvent?.({
    type,
    agentRunId: ctx.agentRunId,
    ts: ctx.clock(),
    data: {
      step: rec.stepKey,
      skill: rec.skillId,
      status: rec.status,
      run: rec.runId ?? null,
      approval: rec.approvalId ?? null,
      duration_ms: rec.durationMs ?? null,
      error: rec.error?.code ?? null,
    },
  });
}

/**
 * Runs one execution of a step through the engine (channel `agent`, request id = the agent run,
 * an idempotency key per run, plan version and step key so that a crashed run never executes a
 * step twice), records it before and after, and retries once a transient failure of a read-only
 * or idempotent skill. A succeeded execution of an earlier plan version with the same skill and
 * input is reused instead.
 */
export async function runInstance(ctx: ExecuteContext, req: InstanceRequest): Promise<AgentStepRecord> {
  const skill = ctx.registry.get(req.step.skill);
  const started = performance.now();
  const hash = skill ? inputHash(skill.id, skill.spec.version, req.input) : null;
  const base: AgentStepRecord = {
    agentRunId: ctx.agentRunId,
    planVersion: ctx.planVersion,
    stepKey: req.key,
    stepId: req.step.id,
    itemIndex: req.itemIndex ?? null,
    skillId: req.step.skill,
    input: req.input,
    inputHash: hash,
    status: 'running',
    attempts: 0,
    prompt: req.prompt,
    startedAt: ctx.clock(),
  };
  const reused = req.previous.find(
    (p) =>
      p.skillId === req.step.skill &&
      p.inputHash === hash &&
      (p.status === 'succeeded' || p.status === 'reused'),
  );
  if (reused) {
    const rec: AgentStepRecord = {
      ...base,
      status: 'reused',
      runId: reused.runId,
      output: reused.output,
      finishedAt: ctx.clock(),
      durationMs: 0,
    };
    await upsertAgentStep(ctx.db, rec);
    emit(ctx, 'step_finished', rec);
    return rec;
  }
  await upsertAgentStep(ctx.db, base);
  emit(ctx, 'step_started', base);
  let rec = base;
  for (let attempt = 1; attempt <= 2; attempt++) {
    const result = await ctx.engine.run({
      principal: ctx.principal,
      channel: 'agent',
      skill: req.step.skill,
      input: req.input,
      requestId: ctx.agentRunId,
      idempotencyKey: ctx.idempotencyKey
        ? `${ctx.idempotencyKey}:step:${ctx.planVersion}:${req.key}:${attempt}`
        : `${ctx.agentRunId}:${ctx.planVersion}:${req.key}:${attempt}`,
      idempotencyScope: ctx.idempotencyKey ? undefined : ctx.agentRunId,
      signal: ctx.signal,
    });
    rec = fromRunResult({ ...base, attempts: attempt }, result, ctx.clock());
    const retry =
      rec.status === 'failed' &&
      TRANSIENT.has(rec.error?.code ?? '') &&
      (skill?.spec.effects === 'read' || skill?.spec.idempotent === true);
    if (!retry) break;
  }
  rec.durationMs = Math.round(performance.now() - started);
  await upsertAgentStep(ctx.db, rec);
  emit(ctx, 'step_finished', rec);
  return rec;
}
