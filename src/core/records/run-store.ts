import type { Queryable } from '../../db/db.js';
import type { StepRecord } from '../../tools/handler.js';
import type { EngineEvent } from '../events.js';
import type { RunRecord, RunStatus } from './run-record.js';

export interface RunRow {
  id: string;
  tenant: string;
  request_id: string;
  parent_run_id: string | null;
  principal: string;
  channel: string;
  skill_id: string | null;
  skill_version: string | null;
  query: string | null;
  input: unknown;
  input_hash: string | null;
  mode: RunRecord['mode'];
  status: RunStatus;
  output: unknown;
  preview: unknown;
  error: unknown;
  approval_id: string | null;
  cost_usd: number;
  tokens: number;
  attempts: number;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  duration_ms: number | null;
}

function json(v: unknown): string | null {
  return v === undefined ? null : JSON.stringify(v);
}

export function fromRow(r: RunRow): RunRecord {
  return {
    id: r.id,
    tenant: r.tenant,
    requestId: r.request_id,
    parentRunId: r.parent_run_id,
    principal: r.principal,
    channel: r.channel,
    skillId: r.skill_id,
    skillVersion: r.skill_version,
    query: r.query,
    input: r.input,
    inputHash: r.input_hash,
    mode: r.mode,
    status: r.status,
    output: r.output ?? undefined,
    preview: r.preview ?? undefined,
    error: r.error ?? undefined,
    approvalId: r.approval_id,
    costUsd: r.cost_usd,
    tokens: r.tokens,
    attempts: r.attempts,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    durationMs: r.duration_ms,
  };
}

/** A run record as a `runs` row (column names; JSON-ready apart from dates). */
export function toRow(run: RunRecord): RunRow {
  return {
    id: run.id,
    tenant: run.tenant,
    request_id: run.requestId,
    parent_run_id: run.parentRunId ?? null,
    principal: run.principal,
    channel: run.channel,
    skill_id: run.skillId ?? null,
    skill_version: run.skillVersion ?? null,
    query: run.query ?? null,
    input: run.input ?? null,
    input_hash: run.inputHash ?? null,
    mode: run.mode,
    status: run.status,
    output: run.output ?? null,
    preview: run.preview ?? null,
    error: run.error ?? null,
    approval_id: run.approvalId ?? null,
    cost_usd: run.costUsd,
    tokens: run.tokens,
    attempts: run.attempts,
    created_at: run.createdAt,
    started_at: run.startedAt ?? null,
    finished_at: run.finishedAt ?? null,
    duration_ms: run.durationMs ?? null,
  };
}

/** Inserts a run row: the same `toRow` mapping that `record_run_outcome` inserts (migration 070). */
export async function insertRun(q: Queryable, run: RunRecord): Promise<void> {
  await q.query('INSERT INTO runs SELECT * FROM jsonb_populate_record(NULL::runs, $1::jsonb)', [
    JSON.stringify(toRow(run)),
  ]);
}

/** The fields of a run that change after it is inserted. */
export type RunPatch = Partial<
  Pick<
    RunRecord,
    | 'status'
    | 'output'
    | 'preview'
    | 'error'
    | 'costUsd'
    | 'tokens'
    | 'attempts'
    | 'startedAt'
    | 'finishedAt'
    | 'durationMs'
    | 'approvalId'
  >
>;

/** Updates the mutable fields of a run. */
export async function updateRun(q: Queryable, id: string, patch: RunPatch): Promise<void> {
  const cols: string[] = [];
  const vals: unknown[] = [];
  const set = (col: string, v: unknown) => {
    if (v === undefined) return;
    vals.push(v);
    cols.push(`${col} = $${vals.length}`);
  };
  set('status', patch.status);
  set('output', json(patch.output) ?? undefined);
  set('preview', json(patch.preview) ?? undefined);
  set('error', json(patch.error) ?? undefined);
  set('cost_usd', patch.costUsd);
  set('tokens', patch.tokens);
  set('attempts', patch.attempts);
  set('started_at', patch.startedAt);
  set('finished_at', patch.finishedAt);
  set('duration_ms', patch.durationMs);
  set('approval_id', patch.approvalId);
  if (cols.length === 0) return;
  vals.push(id);
  await q.query(`UPDATE runs SET ${cols.join(', ')} WHERE id = $${vals.length}`, vals);
}

export async function getRun(q: Queryable, id: string, tenant?: string): Promise<RunRecord | undefined> {
  const r = await q.query<RunRow>(
    tenant ? 'SELECT * FROM runs WHERE id = $1 AND tenant = $2' : 'SELECT * FROM runs WHERE id = $1',
    tenant ? [id, tenant] : [id],
  );
  if (!r.rows[0]) return undefined;
  const run = fromRow(r.rows[0]);
  run.steps = await getSteps(q, id);
  return run;
}

export interface ListRunsOptions {
  tenant: string;
  skillId?: string;
  principal?: string;
  status?: string;
  limit?: number;
  topLevelOnly?: boolean;
}

export async function listRuns(q: Queryable, o: ListRunsOptions): Promise<RunRecord[]> {
  const where = ['tenant = $1'];
  const vals: unknown[] = [o.tenant];
  if (o.skillId) where.push(`skill_id = $${vals.push(o.skillId)}`);
  if (o.principal) where.push(`principal = $${vals.push(o.principal)}`);
  if (o.status) where.push(`status = $${vals.push(o.status)}`);
  if (o.topLevelOnly) where.push('parent_run_id IS NULL');
  vals.push(Math.min(o.limit ?? 20, 1000));
  const r = await q.query<RunRow>(
    `SELECT * FROM runs WHERE ${where.join(' AND ')} ORDER BY created_at DESC, id DESC LIMIT $${vals.length}`,
    vals,
  );
  return r.rows.map(fromRow);
}

export async function upsertStep(q: Queryable, runId: string, s: StepRecord): Promise<void> {
  const duration = s.startedAt && s.finishedAt ? s.finishedAt.getTime() - s.startedAt.getTime() : null;
  await q.query(
    `INSERT INTO run_steps (run_id, step_id, skill_id, child_run_id, status, started_at, finished_at, duration_ms, output, error)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)
     ON CONFLICT (run_id, step_id) DO UPDATE SET
       child_run_id = COALESCE(EXCLUDED.child_run_id, run_steps.child_run_id), status = EXCLUDED.status,
       started_at = COALESCE(run_steps.started_at, EXCLUDED.started_at), finished_at = EXCLUDED.finished_at,
       duration_ms = EXCLUDED.duration_ms, output = EXCLUDED.output, error = EXCLUDED.error`,
    [
      runId,
      s.stepId,
      s.skillId,
      s.childRunId ?? null,
      s.status,
      s.startedAt ?? null,
      s.finishedAt ?? null,
      duration,
      json(s.output),
      json(s.error),
    ],
  );
}

export async function getSteps(q: Queryable, runId: string): Promise<StepRecord[]> {
  const r = await q.query<{
    step_id: string;
    skill_id: string;
    child_run_id: string | null;
    status: StepRecord['status'];
    started_at: Date | null;
    finished_at: Date | null;
    output: unknown;
    error: unknown;
  }>('SELECT * FROM run_steps WHERE run_id = $1 ORDER BY started_at NULLS LAST, step_id', [runId]);
  return r.rows.map((s) => ({
    stepId: s.step_id,
    skillId: s.skill_id,
    childRunId: s.child_run_id ?? undefined,
    status: s.status,
    startedAt: s.started_at ?? undefined,
    finishedAt: s.finished_at ?? undefined,
    output: s.output ?? undefined,
    error: s.error ?? undefined,
  }));
}

/** An event as an `events` row (column names). */
export function eventRow(e: EngineEvent) {
  return {
    tenant: e.tenant,
    request_id: e.requestId,
    run_id: e.runId ?? null,
    type: e.type,
    data: e.data,
    ts: e.ts,
  };
}

/** Persists a batch of events in one statement. */
export async function insertEvents(q: Queryable, events: readonly EngineEvent[]): Promise<void> {
  if (events.length === 0) return;
  const vals: unknown[] = [];
  const tuples = events.map((e) => {
    const b = vals.length;
    vals.push(e.tenant, e.requestId, e.runId ?? null, e.type, JSON.stringify(e.data), e.ts);
    return `($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5}, $${b + 6})`;
  });
  await q.query(
    `INSERT INTO events (tenant, request_id, run_id, type, data, ts) VALUES ${tuples.join(', ')}`,
    vals,
  );
}

export async function getEvents(q: Queryable, runId: string): Promise<EngineEvent[]> {
  const r = await q.query<{
    tenant: string;
    request_id: string;
    run_id: string;
    type: EngineEvent['type'];
    data: Record<string, unknown>;
    ts: Date;
  }>('SELECT * FROM events WHERE run_id = $1 ORDER BY id', [runId]);
  return r.rows.map((e) => ({
    type: e.type,
    requestId: e.request_id,
    runId: e.run_id,
    tenant: e.tenant,
    ts: e.ts,
    data: e.data,
  }));
}
