import type { Config } from '../../core/config/config-schema.js';
import type { ModelPrice } from '../../core/config/models-config.js';
import { SkillgateError } from '../../core/errors.js';
import { reserveBudget, settleBudget } from '../../core/gates/budget.js';
import type { Db } from '../../db/db.js';
import type { ModelCallRecord } from '../agent-types.js';
import { addAgentUsage } from '../store/agent-store.js';
import { insertModelCall } from '../store/trace-store.js';
import type { ChatModel } from './chat-models.js';

/** Rough token count of a text (4 characters a token): used only for reservations and fallbacks. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** The price of a model (by id, then by `provider:id`); unlisted models cost nothing. */
export function priceOf(config: Config, model: ChatModel): ModelPrice {
  return (
    config.models.prices[model.id] ??
    config.models.prices[model.name] ?? { input_per_1m: 0, output_per_1m: 0 }
  );
}

export function costUsd(price: ModelPrice, inputTokens: number, outputTokens: number): number {
  return (inputTokens * price.input_per_1m + outputTokens * price.output_per_1m) / 1_000_000;
}

export interface LlmSpend {
  tenant: string;
  principal: string;
  agentRunId: string;
  /** `agent.planner`: the ledger's skill id, so that `reports.usage` shows the role. */
  skillId: string;
  usd: number;
  now: Date;
}

/**
 * Reserves a model call's worst-case cost against every budget cap and the run's own cap
 * (`models.max_usd_per_run`), in one transaction. Throws `budget.exceeded` and reserves nothing
 * when any cap would be passed.
 */
export async function reserveLlmBudget(db: Db, config: Config, spend: LlmSpend): Promise<void> {
  if (spend.usd <= 0) return;
  await db.tx(async (q) => {
    const cap = config.models.max_usd_per_run;
    if (cap !== undefined) {
      const r = await q.query<{ cost_usd: number }>(
        'SELECT cost_usd FROM agent_runs WHERE id = $1 FOR UPDATE',
        [spend.agentRunId],
      );
      const used = Number(r.rows[0]?.cost_usd ?? 0);
      if (used + spend.usd > cap + 1e-12) {
        throw new SkillgateError(
          'budget.exceeded',
          `Budget exceeded: this agent run may spend $${cap.toFixed(4)} on models; $${used.toFixed(4)} is used and the next call needs up to $${spend.usd.toFixed(4)}.`,
          { cap: 'agent run cap', limit_usd: cap, used_usd: used, needed_usd: spend.usd, resets_at: null },
        );
      }
    }
    await reserveBudget(q, config, {
      tenant: spend.tenant,
      principal: spend.principal,
      usd: spend.usd,
      runId: spend.agentRunId,
      skillId: spend.skillId,
      now: spend.now,
    });
  });
}

/**
 * Settles a model call in one transaction: the reservation becomes the actual cost, the usage is
 * written to the ledger (`kind = 'llm'`, model, tokens, usd: what `reports.usage` reads), to the
 * trace (`agent_model_calls`) and to the run's totals. A failed call settles at 0 (released).
 * `trace: false` (a call made by a skill run, which has no agent run) writes the ledger only.
 */
export async function settleLlmCall(
  db: Db,
  spend: LlmSpend & { actualUsd: number; model: string },
  call: ModelCallRecord,
  trace = true,
): Promise<void> {
  await db.tx(async (q) => {
    await settleBudget(q, {
      tenant: spend.tenant,
      principal: spend.principal,
      usd: spend.usd,
      runId: spend.agentRunId,
      skillId: spend.skillId,
      now: spend.now,
      actualUsd: spend.actualUsd,
      kind: call.status === 'ok' ? 'settle' : 'release',
    });
    if (call.status === 'ok') {
      await q.query(
        `INSERT INTO budget_ledger (tenant, principal, run_id, skill_id, kind, usd, model, input_tokens, output_tokens)
         VALUES ($1, $2, $3, $4, 'llm', $5, $6, $7, $8)`,
        [
          spend.tenant,
          spend.principal,
          spend.agentRunId,
          spend.skillId,
          spend.actualUsd,
          spend.model,
          call.inputTokens,
          call.outputTokens,
        ],
      );
    }
    if (!trace) return;
    await insertModelCall(q, spend.agentRunId, call);
    await addAgentUsage(q, spend.agentRunId, {
      inputTokens: call.inputTokens,
      outputTokens: call.outputTokens,
      usd: call.status === 'ok' ? spend.actualUsd : 0,
    });
  });
}
