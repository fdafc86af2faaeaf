import { z } from 'zod';
import type { Principal } from '../../core/principal.js';
import type { RunErrorInfo } from '../../core/run-request.js';

/**
 * The states of a job. `queued` (waiting, or waiting for a retry) -> `running` -> one of the final
 * states, or `waiting_approval` (the run waits for a human) -> final. `interrupted`: a
 * non-idempotent run stopped mid-way (crash, shutdown); it is never re-run without a human
 * (`skillgate jobs retry`).
 */
export const JobStateSchema = z.enum([
  'queued',
  'running',
  'waiting_approval',
  'succeeded',
  'failed',
  'interrupted',
  'cancelled',
]);
export type JobState = z.infer<typeof JobStateSchema>;

export const FINAL_JOB_STATES: ReadonlySet<JobState> = new Set([
  'succeeded',
  'failed',
  'interrupted',
  'cancelled',
]);

/** Where a job came from. */
export type JobSource = 'cli' | 'webhook' | 'schedule' | 'mcp' | 'chat' | 'api' | 'agent';

export interface JobRecord {
  id: string;
  tenant: string;
  source: string;
  sourceRef: string | null;
  principal: Principal;
  channel: string;
  skillId: string | null;
  query: string | null;
  input: Record<string, unknown>;
  mode: 'execute' | 'dry_run';
  dedupeKey: string | null;
  state: JobState;
  queue: string;
  bossId: string | null;
  idempotent: boolean;
  maxAttempts: number;
  attempts: number;
  runId: string | null;
  approvalId: string | null;
  workerId: string | null;
  cancelRequested: boolean;
  deadLetter: boolean;
  lastError: RunErrorInfo | null;
  output: unknown;
  runAfter: Date | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  updatedAt: Date;
}

/** One attempt of a job: the run it started and how it ended. */
export interface JobAttempt {
  jobId: string;
  attempt: number;
  runId: string | null;
  requestId: string;
  workerId: string | null;
  outcome: string;
  error: RunErrorInfo | null;
  retryAt: Date | null;
  startedAt: Date;
  finishedAt: Date | null;
}

export interface JobRow {
  id: string;
  tenant: string;
  source: string;
  source_ref: string | null;
  principal: Principal;
  principal_id: string;
  channel: string;
  skill_id: string | null;
  query: string | null;
  input: Record<string, unknown>;
  mode: 'execute' | 'dry_run';
  dedupe_key: string | null;
  state: JobState;
  queue: string;
  boss_id: string | null;
  idempotent: boolean;
  max_attempts: number;
  attempts: number;
  run_id: string | null;
  approval_id: string | null;
  worker_id: string | null;
  cancel_requested: boolean;
  dead_letter: boolean;
  last_error: RunErrorInfo | null;
  output: unknown;
  run_after: Date | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  updated_at: Date;
}

export function jobFromRow(r: JobRow): JobRecord {
  return {
    id: r.id,
    tenant: r.tenant,
    source: r.source,
    sourceRef: r.source_ref,
    principal: r.principal,
    channel: r.channel,
    skillId: r.skill_id,
    query: r.query,
    input: r.input ?? {},
    mode: r.mode,
    dedupeKey: r.dedupe_key,
    state: r.state,
    queue: r.queue,
    bossId: r.boss_id,
    idempotent: r.idempotent,
    maxAttempts: r.max_attempts,
    attempts: r.attempts,
    runId: r.run_id,
    approvalId: r.approval_id,
    workerId: r.worker_id,
    cancelRequested: r.cancel_requested,
    deadLetter: r.dead_letter,
    lastError: r.last_error,
    output: r.output ?? undefined,
    runAfter: r.run_after,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    updatedAt: r.updated_at,
  };
}

/** The engine request id of a job's attempt: lets recovery find the run an attempt started. */
export function attemptRequestId(jobId: string, attempt: number): string {
  return `req_${jobId.replace(/^job_/, '')}_a${attempt}`;
}
