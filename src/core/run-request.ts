import { z } from 'zod';
import type { ErrorDetails } from './errors.js';
import type { EngineEvent } from './events.js';
import type { Principal } from './principal.js';
import type { RunStatus } from './records/run-record.js';

/** How every entry point asks the engine to do something. */
export interface RunRequest {
  principal: Principal;
  /** Where the request came from: cli, mcp, slack, discord, webhook, schedule, agent, pipeline, http. */
  channel: string;
  /** A skill id; or omit it and give `query` for the router. */
  skill?: string;
  query?: string;
  input?: Record<string, unknown>;
  mode?: 'execute' | 'dry_run';
  idempotencyKey?: string;
  /** Scope of the idempotency key; default the principal id. */
  idempotencyScope?: string;
  requestId?: string;
  /** Set by the engine for pipeline steps. */
  parentRunId?: string;
  signal?: AbortSignal;
  /** In-process retries of an idempotent skill; default its `max_retries`. Durable jobs pass 0 and retry through the queue. */
  retries?: number;
  /** Live events of this request (progress on terminals and chat). */
  onEvent?: (event: EngineEvent) => void;
}

export const RunRequestInputSchema = z.object({
  skill: z.string().optional(),
  query: z.string().max(4000).optional(),
  input: z.record(z.string(), z.unknown()).default({}),
  mode: z.enum(['execute', 'dry_run']).default('execute'),
  idempotency_key: z.string().min(1).max(200).optional(),
});

export interface RunErrorInfo {
  code: string;
  id: string;
  message: string;
  hint: string;
  details: ErrorDetails;
}

export interface RunResult {
  runId: string;
  requestId: string;
  status: RunStatus | 'pending_approval';
  skill?: string;
  output?: unknown;
  preview?: unknown;
  error?: RunErrorInfo;
  approval?: { id: string; expiresAt: Date; approverRoles: string[]; quorum: number; reason: string };
  /** Set when the result is the stored one of an earlier run with the same idempotency key. */
  replayed?: boolean;
  costUsd: number;
  durationMs: number;
}
