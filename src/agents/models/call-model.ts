import type { ToolSet } from 'ai';
import type { z } from 'zod';
import type { Config } from '../../core/config/config-schema.js';
import type { AgentRole } from '../../core/config/models-config.js';
import { SkillgateError } from '../../core/errors.js';
import type { Principal } from '../../core/principal.js';
import type { Db } from '../../db/db.js';
import type { AgentEvent, ModelCallRecord } from '../agent-types.js';
import type { RenderedPrompt } from '../prompts/prompt-library.js';
import type { ChatLanguageModel, ChatModel, RoleModels } from './chat-models.js';
import {
  costUsd,
  estimateTokens,
  type LlmSpend,
  priceOf,
  reserveLlmBudget,
  settleLlmCall,
} from './model-budget.js';

/** Where a model call runs: the agent run it belongs to, its principal, its models and budget. */
export interface ModelCallContext {
  db: Db;
  config: Config;
  models: RoleModels;
  agentRunId: string;
  principal: Principal;
  signal?: AbortSignal;
  onEvent?: (e: AgentEvent) => void;
  /** Waits between retries (tests pass a no-op). Default `setTimeout`. */
  sleep?: (ms: number) => Promise<void>;
  clock?: () => Date;
  /**
   * Set when a skill run (not an agent run) calls the model, e.g. `code.repeatability` sampling:
   * `agentRunId` is then the engine run id, the ledger rows carry `skillId` (not `agent.<role>`), and
   * nothing is written to the agent trace (`agent_model_calls`, agent run totals).
   */
  skillRun?: { skillId: string };
}

export interface ModelCallRequest<T> {
  role: AgentRole;
  prompt: Pick<RenderedPrompt, 'ref' | 'text'>;
  /** Sampling temperature (default: the provider's). */
  temperature?: number;
  /** Structured output (`Output.object`): the call fails unless the model's answer parses. */
  schema?: z.ZodType<T>;
  schemaName?: string;
  /** Tools the model may call; their `execute` runs before the call returns. */
  tools?: ToolSet;
  /** Rounds of tool calls (default 1 without tools). */
  maxToolRounds?: number;
  /**
   * Set by tool `execute` functions when they had effects: a failed attempt is then not retried
   * (retrying would repeat the effects).
   */
  effects?: { happened: boolean };
}

export interface ModelCallResult<T> {
  output?: T;
  text: string;
  model: string;
  fallback: boolean;
  inputTokens: number;
  outputTokens: number;
  usd: number;
}

interface FailureInfo {
  code: string;
  retryable: boolean;
  message: string;
  retryAfterMs?: number;
}

type AiSdk = typeof import('ai');
let aiSdk: Promise<AiSdk> | undefined;
/** The AI SDK, imported on the first model call: a server that never calls a model never loads it. */
function loadAiSdk(): Promise<AiSdk> {
  aiSdk ??= import('ai');
  return aiSdk;
}

function classify(ai: AiSdk, err: unknown, userAborted: boolean): FailureInfo {
  const message = err instanceof Error ? err.message : String(err);
  if (ai.APICallError.isInstance(err)) {
    const status = err.statusCode ?? 0;
    const after = Number(err.responseHeaders?.['retry-after']);
    return {
      code: status ? `http_${status}` : 'network',
      retryable: status === 0 || status === 408 || status === 429 || status >= 500 || err.isRetryable,
      message,
      retryAfterMs: Number.isFinite(after) && after > 0 ? Math.min(after * 1000, 10_000) : undefined,
    };
  }
  const name = (err as { name?: string })?.name ?? '';
  if (!userAborted && (name === 'TimeoutError' || name === 'AbortError')) {
    return { code: 'timeout', retryable: true, message: 'the model did not answer in time' };
  }
  if (/NoObjectGenerated|NoOutputGenerated|JSONParse|TypeValidation/.test(name)) {
    return { code: 'invalid_output', retryable: true, message };
  }
  return { code: name === 'TypeError' ? 'network' : 'error', retryable: name === 'TypeError', message };
}

/**
 * The model with a timeout on each request to the provider (not on the tools a step executes:
 * a skill run keeps its own timeout).
 */
function withTimeout(ai: AiSdk, model: ChatLanguageModel, ms: number): ChatLanguageModel {
  return ai.wrapLanguageModel({
    model,
    middleware: {
      specificationVersion: 'v3',
      transformParams: async ({ params }) => {
        const timeout = AbortSignal.timeout(ms);
        return {
          ...params,
          abortSignal: params.abortSignal ? AbortSignal.any([params.abortSignal, timeout]) : timeout,
        };
      },
    },
  });
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * The one way the agent loop calls a model. For the role's model, then the fallback: reserve the
 * worst-case cost (transactional, every cap), call with a timeout, retry timeouts, 429 and 5xx
 * with exponential backoff up to `models.max_retries` times, and settle each successful call's
 * tokens and cost to the ledger (`kind = 'llm'`) and the trace. The fallback model is used when
 * the primary keeps failing, or when the budget cannot cover the primary but can cover a cheaper
 * fallback. Throws `budget.exceeded` when no model fits the budget, `llm.provider_failed` when
 * every model failed, `skill.aborted` when the caller's signal aborted.
 */
export async function callModel<T>(
  ctx: ModelCallContext,
  req: ModelCallRequest<T>,
): Promise<ModelCallResult<T>> {
  const { config } = ctx;
  const primary = ctx.models[req.role];
  if (!primary) throw new SkillgateError('internal.error', `No model is configured for the ${req.role}.`);
  const candidates: { model: ChatModel; fallback: boolean }[] = [{ model: primary, fallback: false }];
  const fb = ctx.models.fallback;
  if (fb && fb.name !== primary.name) candidates.push({ model: fb, fallback: true });
  const clock = ctx.clock ?? (() => new Date());
  const ai = await loadAiSdk();
  const inTokens = estimateTokens(req.prompt.text) + (req.tools ? 500 : 0);
  const maxOut = config.models.max_output_tokens;
  const rounds = req.tools ? (req.maxToolRounds ?? 4) : 1;
  const failures: string[] = [];
  const trace = !ctx.skillRun;
  let refusal: SkillgateError | undefined;
  let refusedEstimate = Number.POSITIVE_INFINITY;

  for (const cand of candidates) {
    const price = priceOf(config, cand.model);
    const spend: LlmSpend = {
      tenant: ctx.principal.tenant,
      principal: ctx.principal.id,
      agentRunId: ctx.agentRunId,
      skillId: ctx.skillRun?.skillId ?? `agent.${req.role}`,
      usd: costUsd(price, inTokens * rounds, maxOut * rounds),
      now: clock(),
    };
    // After a refusal, only a cheaper model can help.
    if (refusal && spend.usd >= refusedEstimate) continue;
    const base: Omit<ModelCallRecord, 'attempt' | 'status' | 'latencyMs'> = {
      role: req.role,
      model: cand.model.name,
      prompt: req.prompt.ref,
      fallback: cand.fallback,
      inputTokens: 0,
      outputTokens: 0,
      usd: 0,
    };
    try {
      await reserveLlmBudget(ctx.db, config, spend);
    } catch (err) {
      if (!SkillgateError.is(err, 'budget.exceeded')) throw err;
      refusal = err;
      refusedEstimate = Math.min(refusedEstimate, spend.usd);
      await settleLlmCall(
        ctx.db,
        { ...spend, usd: 0, actualUsd: 0, model: cand.model.name },
        {
          ...base,
          attempt: 1,
          status: 'refused',
          latencyMs: 0,
          errorCode: 'budget.exceeded',
          error: err.message,
        },
        trace,
      );
      ctx.onEvent?.({
        type: 'model_call',
        agentRunId: ctx.agentRunId,
        ts: clock(),
        data: { ...base, status: 'refused' },
      });
      continue;
    }
    for (let attempt = 1; attempt <= config.models.max_retries + 1; attempt++) {
      const started = performance.now();
      try {
        const result = await ai.generateText({
          model: withTimeout(ai, cand.model.model, config.models.timeout),
          prompt: req.prompt.text,
          output: req.schema ? ai.Output.object({ schema: req.schema, name: req.schemaName }) : undefined,
          tools: req.tools,
          stopWhen: ai.stepCountIs(rounds),
          maxRetries: 0,
          maxOutputTokens: maxOut,
          temperature: req.temperature,
          abortSignal: ctx.signal,
        });
        const text = result.text ?? '';
        const inputTokens = result.totalUsage.inputTokens ?? estimateTokens(req.prompt.text);
        const outputTokens = result.totalUsage.outputTokens ?? estimateTokens(text);
        const usd = costUsd(price, inputTokens, outputTokens);
        const call: ModelCallRecord = {
          ...base,
          attempt,
          status: 'ok',
          inputTokens,
          outputTokens,
          usd,
          latencyMs: Math.round(performance.now() - started),
        };
        await settleLlmCall(ctx.db, { ...spend, actualUsd: usd, model: cand.model.name }, call, trace);
        ctx.onEvent?.({ type: 'model_call', agentRunId: ctx.agentRunId, ts: clock(), data: { ...call } });
        return {
          output: req.schema ? (result.output as T) : undefined,
          text,
          model: cand.model.name,
          fallback: cand.fallback,
          inputTokens,
          outputTokens,
          usd,
        };
      } catch (err) {
        const userAborted = ctx.signal?.aborted === true;
        const info = classify(ai, err, userAborted);
        const last =
          attempt > config.models.max_retries || !info.retryable || req.effects?.happened || userAborted;
        const call: ModelCallRecord = {
          ...base,
          attempt,
          status: 'error',
          latencyMs: Math.round(performance.now() - started),
          errorCode: info.code,
          error: info.message,
        };
        // The reservation is released with the last failed attempt of this model.
        await settleLlmCall(
          ctx.db,
          { ...spend, usd: last ? spend.usd : 0, actualUsd: 0, model: cand.model.name },
          call,
          trace,
        );
        ctx.onEvent?.({ type: 'model_call', agentRunId: ctx.agentRunId, ts: clock(), data: { ...call } });
        failures.push(`${cand.model.name} attempt ${attempt}: ${info.code}`);
        if (userAborted) throw new SkillgateError('skill.aborted', 'The agent run was cancelled.');
        if (req.effects?.happened) {
          throw new SkillgateError(
            'llm.provider_failed',
            `The ${req.role} model failed after its tools ran: ${info.message}`,
            {
              model: cand.model.name,
              code: info.code,
            },
          );
        }
        if (last) break;
        await (ctx.sleep ?? defaultSleep)(
          Math.max(info.retryAfterMs ?? 0, config.models.retry_delay_ms * 2 ** (attempt - 1)),
        );
      }
    }
  }
  if (refusal && failures.length === 0) throw refusal;
  throw new SkillgateError(
    'llm.provider_failed',
    `The ${req.role} model failed: ${failures.join('; ') || 'no model fits the budget'}.`,
    { role: req.role, attempts: failures.length },
  );
}
