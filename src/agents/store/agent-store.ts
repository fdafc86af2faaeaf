import type { Queryable } from '../../db/db.js';
import type { AgentRunRecord, AgentRunStatus } from '../agent-types.js';

const json = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v));

interface AgentRunRow {
  id: string;
  tenant: string;
  principal: string;
  requester: AgentRunRecord['requester'];
  channel: string;
  request: string;
  status: AgentRunStatus;
  mode: 'offline' | 'model';
  goal: string | null;
  plan_version: number;
  critic_rounds: number;
  answer: string | null;
  answer_data: AgentRunRecord['answerData'];
  question: string | null;
  escalation: AgentRunRecord['escalation'];
  error: AgentRunRecord['error'];
  state: AgentRunRecord['state'];
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
  created_at: Date;
  updated_at: Date;
  finished_at: Date | null;
  duration_ms: number | null;
  idempotency_key: string | null;
}

function fromRow(r: AgentRunRow): AgentRunRecord {
  return {
    id: r.id,
    tenant: r.tenant,
    principal: r.principal,
    requester: r.requester,
    channel: r.channel,
    request: r.request,
    status: r.status,
    mode: r.mode,
    goal: r.goal,
    planVersion: r.plan_version,
    criticRounds: r.critic_rounds,
    answer: r.answer,
    answerData: r.answer_data,
    question: r.question,
    escalation: r.escalation,
    error: r.error,
    state: Object.assign({ replans: 0 }, r.state),
    inputTokens: r.input_tokens,
    outputTokens: r.output_tokens,
    costUsd: Number(r.cost_usd),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    finishedAt: r.finished_at,
    durationMs: r.duration_ms,
    idempotencyKey: r.idempotency_key,
  };
}

const RUN_COLUMNS = `id, tenant, principal, requester, channel, request, status, mode, goal, plan_version,
  critic_rounds, answer, answer_data, question, escalation, error, state, input_tokens, output_tokens,
  cost_usd, created_at, updated_at, finished_at, duration_ms, idempotency_key`;

/**
 * Inserts a new run. With `r.idempotencyKey`, at most one run per (tenant, principal, key) exists:
 * returns false (and inserts nothing) when that key is already taken, true otherwise.
 */
export async function insertAgentRun(q: Queryable, r: AgentRunRecord): Promise<boolean> {
  const res = await q.query<{ id: string }>(
    `INSERT INTO agent_runs (id, tenant, principal, requester, channel, request, status, mode, state,
       idempotency_key, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)
     ON CONFLICT (tenant, principal, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
     RETURNING id`,
    [
      r.id,
      r.tenant,
      r.principal,
      json(r.requester),
      r.channel,
      r.request,
      r.status,
      r.mode,
      json(r.state),
      r.idempotencyKey ?? null,
      r.createdAt,
    ],
  );
  return res.rows.length === 1;
}

/** The run a principal started with an idempotency key, if any. */
export async function findAgentRunByKey(
  q: Queryable,
  tenant: string,
  principal: string,
  key: string,
): Promise<AgentRunRecord | undefined> {
  const r = await q.query<AgentRunRow>(
    `SELECT ${RUN_COLUMNS} FROM agent_runs WHERE tenant = $1 AND principal = $2 AND idempotency_key = $3`,
    [tenant, principal, key],
  );
  return r.rows[0] ? fromRow(r.rows[0]) : undefined;
}

export type AgentRunPatch = Partial<
  Pick<
    AgentRunRecord,
    | 'status'
    | 'goal'
    | 'planVersion'
    | 'criticRounds'
    | 'answer'
    | 'answerData'
    | 'question'
    | 'escalation'
    | 'error'
    | 'state'
    | 'finishedAt'
    | 'durationMs'
  >
>;

const PATCH_COLUMNS: Record<keyof AgentRunPatch, [string, boolean]> = {
  status: ['status', false],
  goal: ['goal', false],
  planVersion: ['plan_version', false],
  criticRounds: ['critic_rounds', false],
  answer: ['answer', false],
  answerData: ['answer_data', true],
  question: ['question', false],
  escalation: ['escalation', true],
  error: ['error', true],
  state: ['state', true],
  finishedAt: ['finished_at', false],
  durationMs: ['duration_ms', false],
};

/** Updates the given fields (and `updated_at`). */
export async function updateAgentRun(q: Queryable, id: string, patch: AgentRunPatch): Promise<void> {
  const sets = ['updated_at = now()'];
  const params: unknown[] = [id];
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    const [column, isJson] = PATCH_COLUMNS[key as keyof AgentRunPatch];
    params.push(isJson ? json(value) : value);
    sets.push(`${column} = $${params.length}`);
  }
  await q.query(`UPDATE agent_runs SET ${sets.join(', ')} WHERE id = $1`, params);
}

/** Adds a model call's tokens and cost to the run's totals. */
export async function addAgentUsage(
  q: Queryable,
  id: string,
  usage: { inputTokens: number; outputTokens: number; usd: number },
): Promise<void> {
  await q.query(
    `UPDATE agent_runs SET input_tokens = input_tokens + $2, output_tokens = output_tokens + $3,
       cost_usd = cost_usd + $4, updated_at = now() WHERE id = $1`,
    [id, usage.inputTokens, usage.outputTokens, usage.usd],
  );
}

export async function getAgentRun(
  q: Queryable,
  id: string,
  tenant?: string,
): Promise<AgentRunRecord | undefined> {
  const r = await q.query<AgentRunRow>(
    `SELECT ${RUN_COLUMNS} FROM agent_runs WHERE id = $1 AND ($2::text IS NULL OR tenant = $2)`,
    [id, tenant ?? null],
  );
  return r.rows[0] ? fromRow(r.rows[0]) : undefined;
}

/**
 * Claims a paused run for resumption: `waiting_approval` -> `running`, atomically, so that only
 * one process (or one event) resumes it. Returns the run when this caller won.
 */
export async function claimAgentRun(q: Queryable, id: string): Promise<AgentRunRecord | undefined> {
  const r = await q.query<AgentRunRow>(
    `UPDATE agent_runs SET status = 'running', updated_at = now()
      WHERE id = $1 AND status = 'waiting_approval' RETURNING ${RUN_COLUMNS}`,
    [id],
  );
  return r.rows[0] ? fromRow(r.rows[0]) : undefined;
}

/** Ids of the runs paused for approvals (optionally of one tenant). */
export async function waitingAgentRuns(q: Queryable, tenant?: string): Promise<string[]> {
  const r = await q.query<{ id: string }>(
    `SELECT id FROM agent_runs WHERE status = 'waiting_approval' AND ($1::text IS NULL OR tenant = $1)
      ORDER BY created_at`,
    [tenant ?? null],
  );
  return r.rows.map((x) => x.id);
}

/** Past runs of the tenant whose requests share words with `tsquery` (episodic recall), best first. */
export async function similarAgentRuns(
  q: Queryable,
  tenant: string,
  tsquery: string,
  limit: number,
  excludeId?: string,
): Promise<{ id: string; request: string; status: string; goal: string | null; plan: unknown }[]> {
  if (!tsquery) return [];
  const r = await q.query<{
    id: string;
    request: string;
    status: string;
    goal: string | null;
    plan: unknown;
  }>(
    `SELECT a.id, a.request, a.status, a.goal,
            (SELECT p.plan FROM agent_plans p WHERE p.agent_run_id = a.id AND p.valid
              ORDER BY p.version DESC, p.attempt DESC LIMIT 1) AS plan
       FROM agent_runs a
      WHERE a.tenant = $1 AND a.status = 'succeeded' AND a.tsv @@ to_tsquery('english', $2)
        AND ($4::text IS NULL OR a.id <> $4)
      ORDER BY ts_rank_cd(a.tsv, to_tsquery('english', $2)) DESC, a.created_at DESC LIMIT $3`,
    [tenant, tsquery, limit, excludeId ?? null],
  );
  return r.rows;
}
