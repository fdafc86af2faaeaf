import type { Queryable } from '../../db/db.js';
import type { CritiqueRecord, ModelCallRecord, PlanRecord } from '../agent-types.js';

const json = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v));

export async function insertPlan(
  q: Queryable,
  agentRunId: string,
  p: Omit<PlanRecord, 'createdAt'>,
): Promise<void> {
  await q.query(
    `INSERT INTO agent_plans (agent_run_id, version, attempt, source, prompt, plan, valid, issues, reason)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [agentRunId, p.version, p.attempt, p.source, p.prompt, json(p.plan), p.valid, json(p.issues), p.reason],
  );
}

export async function listPlans(q: Queryable, agentRunId: string): Promise<PlanRecord[]> {
  const r = await q.query<{
    version: number;
    attempt: number;
    source: PlanRecord['source'];
    prompt: string;
    plan: PlanRecord['plan'];
    valid: boolean;
    issues: string[];
    reason: string;
    created_at: Date;
  }>(
    `SELECT version, attempt, source, prompt, plan, valid, issues, reason, created_at
       FROM agent_plans WHERE agent_run_id = $1 ORDER BY version, attempt`,
    [agentRunId],
  );
  return r.rows.map((x) => ({ ...x, createdAt: x.created_at }));
}

export async function insertCritique(
  q: Queryable,
  agentRunId: string,
  c: Omit<CritiqueRecord, 'createdAt'>,
): Promise<void> {
  await q.query(
    `INSERT INTO agent_critiques (agent_run_id, round, plan_version, verdict, reasons, summary, source, prompt)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [agentRunId, c.round, c.planVersion, c.verdict, json(c.reasons), c.summary ?? null, c.source, c.prompt],
  );
}

export async function listCritiques(q: Queryable, agentRunId: string): Promise<CritiqueRecord[]> {
  const r = await q.query<{
    round: number;
    plan_version: number;
    verdict: CritiqueRecord['verdict'];
    reasons: string[];
    summary: string | null;
    source: CritiqueRecord['source'];
    prompt: string;
    created_at: Date;
  }>('SELECT * FROM agent_critiques WHERE agent_run_id = $1 ORDER BY round', [agentRunId]);
  return r.rows.map((x) => ({ ...x, planVersion: x.plan_version, createdAt: x.created_at }));
}

export async function insertModelCall(q: Queryable, agentRunId: string, c: ModelCallRecord): Promise<void> {
  await q.query(
    `INSERT INTO agent_model_calls (agent_run_id, role, model, prompt, attempt, fallback, status, input_tokens,
       output_tokens, usd, latency_ms, error_code, error)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
    [
      agentRunId,
      c.role,
      c.model,
      c.prompt,
      c.attempt,
      c.fallback,
      c.status,
      c.inputTokens,
      c.outputTokens,
      c.usd,
      c.latencyMs,
      c.errorCode ?? null,
      c.error?.slice(0, 2000) ?? null,
    ],
  );
}

export async function listModelCalls(q: Queryable, agentRunId: string): Promise<ModelCallRecord[]> {
  const r = await q.query<{
    role: string;
    model: string;
    prompt: string;
    attempt: number;
    fallback: boolean;
    status: ModelCallRecord['status'];
    input_tokens: number;
    output_tokens: number;
    usd: number;
    latency_ms: number;
    error_code: string | null;
    error: string | null;
    created_at: Date;
  }>('SELECT * FROM agent_model_calls WHERE agent_run_id = $1 ORDER BY id', [agentRunId]);
  return r.rows.map((x) => ({
    role: x.role,
    model: x.model,
    prompt: x.prompt,
    attempt: x.attempt,
    fallback: x.fallback,
    status: x.status,
    inputTokens: x.input_tokens,
    outputTokens: x.output_tokens,
    usd: Number(x.usd),
    latencyMs: x.latency_ms,
    errorCode: x.error_code,
    error: x.error,
    createdAt: x.created_at,
  }));
}
