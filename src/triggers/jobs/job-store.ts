import type { RunErrorInfo } from '../../core/run-request.js';
import type { Queryable } from '../../db/db.js';
import { type JobAttempt, type JobRecord, type JobRow, type JobState, jobFromRow } from './job-record.js';

function json(v: unknown): string | null {
  return v === undefined ? null : JSON.stringify(v);
}

export interface NewJobRow {
  id: string;
  tenant: string;
  source: string;
  sourceRef?: string;
  principal: JobRecord['principal'];
  channel: string;
  skillId?: string;
  query?: string;
  input: Record<string, unknown>;
  mode: 'execute' | 'dry_run';
  dedupeKey?: string;
  queue: string;
  bossId: string;
  idempotent: boolean;
  maxAttempts: number;
  runAfter?: Date;
}

/**
 * Inserts a queued job. With a `dedupeKey` already used in the tenant, nothing is inserted and
 * the existing job is returned with `duplicate: true`.
 */
export async function insertJob(q: Queryable, j: NewJobRow): Promise<{ job: JobRecord; duplicate: boolean }> {
  const r = await q.query<JobRow>(
    `INSERT INTO jobs (id, tenant, source, source_ref, principal, principal_id, channel, skill_id, query, input,
       mode, dedupe_key, state, queue, boss_id, idempotent, max_attempts, run_after)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,'queued',$13,$14,$15,$16,$17)
     ON CONFLICT (tenant, dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING
     RETURNING *`,
    [
      j.id,
      j.tenant,
      j.source,
      j.sourceRef ?? null,
      JSON.stringify(j.principal),
      j.principal.id,
      j.channel,
      j.skillId ?? null,
      j.query ?? null,
      JSON.stringify(j.input),
      j.mode,
      j.dedupeKey ?? null,
      j.queue,
      j.bossId,
      j.idempotent,
      j.maxAttempts,
      j.runAfter ?? null,
    ],
  );
  if (r.rows[0]) return { job: jobFromRow(r.rows[0]), duplicate: false };
  const existing = await q.query<JobRow>('SELECT * FROM jobs WHERE tenant = $1 AND dedupe_key = $2', [
    j.tenant,
    j.dedupeKey,
  ]);
  return { job: jobFromRow(existing.rows[0]), duplicate: true };
}

export async function getJob(q: Queryable, id: string, tenant?: string): Promise<JobRecord | undefined> {
  const r = await q.query<JobRow>(
    tenant ? 'SELECT * FROM jobs WHERE id = $1 AND tenant = $2' : 'SELECT * FROM jobs WHERE id = $1',
    tenant ? [id, tenant] : [id],
  );
  return r.rows[0] ? jobFromRow(r.rows[0]) : undefined;
}

/** The job row, locked for update (inside a transaction); undefined when another holds it. */
export async function lockJob(q: Queryable, id: string, skipLocked = false): Promise<JobRecord | undefined> {
  const r = await q.query<JobRow>(
    `SELECT * FROM jobs WHERE id = $1 FOR UPDATE${skipLocked ? ' SKIP LOCKED' : ''}`,
    [id],
  );
  return r.rows[0] ? jobFromRow(r.rows[0]) : undefined;
}

export interface ListJobsOptions {
  tenant: string;
  state?: JobState;
  source?: string;
  sourceRef?: string;
  skillId?: string;
  deadLetter?: boolean;
  limit?: number;
}

export async function listJobs(q: Queryable, o: ListJobsOptions): Promise<JobRecord[]> {
  const where = ['tenant = $1'];
  const vals: unknown[] = [o.tenant];
  if (o.state) where.push(`state = $${vals.push(o.state)}`);
  if (o.source) where.push(`source = $${vals.push(o.source)}`);
  if (o.sourceRef) where.push(`source_ref = $${vals.push(o.sourceRef)}`);
  if (o.skillId) where.push(`skill_id = $${vals.push(o.skillId)}`);
  if (o.deadLetter !== undefined) where.push(`dead_letter = $${vals.push(o.deadLetter)}`);
  vals.push(Math.min(o.limit ?? 50, 10_000));
  const r = await q.query<JobRow>(
    `SELECT * FROM jobs WHERE ${where.join(' AND ')} ORDER BY created_at DESC, id DESC LIMIT $${vals.length}`,
    vals,
  );
  return r.rows.map(jobFromRow);
}

/** Counts of jobs by state for a tenant. */
export async function countJobs(q: Queryable, tenant: string): Promise<Record<string, number>> {
  const r = await q.query<{ state: string; n: number }>(
    'SELECT state, count(*)::int AS n FROM jobs WHERE tenant = $1 GROUP BY state',
    [tenant],
  );
  return Object.fromEntries(r.rows.map((x) => [x.state, x.n]));
}

export type JobPatch = Partial<{
  state: JobState;
  bossId: string | null;
  queue: string;
  attempts: number;
  maxAttempts: number;
  runId: string | null;
  approvalId: string | null;
  workerId: string | null;
  cancelRequested: boolean;
  deadLetter: boolean;
  lastError: RunErrorInfo | null;
  output: unknown;
  runAfter: Date | null;
  finishedAt: Date | null;
}>;

const COLUMNS: Record<keyof JobPatch, string> = {
  state: 'state',
  bossId: 'boss_id',
  queue: 'queue',
  attempts: 'attempts',
  maxAttempts: 'max_attempts',
  runId: 'run_id',
  approvalId: 'approval_id',
  workerId: 'worker_id',
  cancelRequested: 'cancel_requested',
  deadLetter: 'dead_letter',
  lastError: 'last_error',
  output: 'output',
  runAfter: 'run_after',
  finishedAt: 'finished_at',
};

export async function updateJob(q: Queryable, id: string, patch: JobPatch): Promise<void> {
  const sets: string[] = ['updated_at = now()'];
  const vals: unknown[] = [];
  for (const [k, v] of Object.entries(patch) as [keyof JobPatch, unknown][]) {
    if (v === undefined) continue;
    const isJson = k === 'lastError' || k === 'output';
    vals.push(isJson ? json(v) : v);
    sets.push(`${COLUMNS[k]} = $${vals.length}`);
  }
  vals.push(id);
  await q.query(`UPDATE jobs SET ${sets.join(', ')} WHERE id = $${vals.length}`, vals);
}

/**
 * Claims deliveries in one statement: each job still `queued` under its delivery (and not asked to
 * cancel) moves to `running` on `workerId` with one more attempt, whose start is logged. Returns
 * the claimed jobs; deliveries whose job is not claimable are left out.
 */
export async function claimJobs(
  q: Queryable,
  items: { jobId: string; bossId: string }[],
  workerId: string,
): Promise<JobRecord[]> {
  if (items.length === 0) return [];
  const r = await q.query<JobRow>(
    `WITH c AS (
       UPDATE jobs j SET state = 'running', worker_id = $3, attempts = j.attempts + 1, run_after = NULL,
         started_at = COALESCE(j.started_at, now()), updated_at = now()
       FROM unnest($1::text[], $2::uuid[]) AS d(id, boss_id)
       WHERE j.id = d.id AND j.boss_id = d.boss_id AND j.state = 'queued' AND NOT j.cancel_requested
       RETURNING j.*
     ), a AS (
       INSERT INTO job_attempts (job_id, attempt, request_id, worker_id, outcome)
       SELECT id, attempts, 'req_' || regexp_replace(id, '^job_', '') || '_a' || attempts, $3, 'running' FROM c
       ON CONFLICT (job_id, attempt) DO UPDATE SET request_id = EXCLUDED.request_id, worker_id = EXCLUDED.worker_id,
         outcome = 'running', run_id = NULL, error = NULL, retry_at = NULL, started_at = now(), finished_at = NULL
     )
     SELECT * FROM c`,
    [items.map((i) => i.jobId), items.map((i) => i.bossId), workerId],
  );
  return r.rows.map(jobFromRow);
}

/**
 * The common end of an attempt in one statement: a running job of `workerId` (not asked to
 * cancel) becomes `succeeded` and its attempt is closed. False when the job is not in that state
 * (the caller then takes the general path).
 */
export async function completeRunningJob(
  q: Queryable,
  a: { jobId: string; workerId: string; runId: string; output: unknown },
): Promise<boolean> {
  const r = await q.query(
    `WITH j AS (
       UPDATE jobs SET state = 'succeeded', output = $3, run_id = $4, last_error = NULL, worker_id = NULL,
         finished_at = now(), updated_at = now()
       WHERE id = $1 AND state = 'running' AND worker_id = $2 AND NOT cancel_requested
       RETURNING id, attempts
     )
     UPDATE job_attempts t SET outcome = 'succeeded', run_id = $4, finished_at = now()
     FROM j WHERE t.job_id = j.id AND t.attempt = j.attempts RETURNING t.job_id`,
    [a.jobId, a.workerId, JSON.stringify(a.output ?? null), a.runId],
  );
  return r.rows.length === 1;
}

export async function finishAttempt(
  q: Queryable,
  a: {
    jobId: string;
    attempt: number;
    outcome: string;
    runId?: string | null;
    error?: RunErrorInfo | null;
    retryAt?: Date | null;
  },
): Promise<void> {
  await q.query(
    `UPDATE job_attempts SET outcome = $3, run_id = COALESCE($4, run_id), error = $5, retry_at = $6, finished_at = now()
     WHERE job_id = $1 AND attempt = $2`,
    [a.jobId, a.attempt, a.outcome, a.runId ?? null, json(a.error ?? undefined), a.retryAt ?? null],
  );
}

export async function listAttempts(q: Queryable, jobId: string): Promise<JobAttempt[]> {
  const r = await q.query<{
    job_id: string;
    attempt: number;
    run_id: string | null;
    request_id: string;
    worker_id: string | null;
    outcome: string;
    error: RunErrorInfo | null;
    retry_at: Date | null;
    started_at: Date;
    finished_at: Date | null;
  }>('SELECT * FROM job_attempts WHERE job_id = $1 ORDER BY attempt', [jobId]);
  return r.rows.map((a) => ({
    jobId: a.job_id,
    attempt: a.attempt,
    runId: a.run_id,
    requestId: a.request_id,
    workerId: a.worker_id,
    outcome: a.outcome,
    error: a.error,
    retryAt: a.retry_at,
    startedAt: a.started_at,
    finishedAt: a.finished_at,
  }));
}
