import type { Logger } from 'pino';
import type { Config } from '../core/config/config-schema.js';
import type { Principal } from '../core/principal.js';
import type { Db } from '../db/db.js';
import type { Skill } from './skill.js';

export type RunMode = 'execute' | 'dry_run';

/** A step of a composite run (pipeline step), as reported to the engine for recording. */
export interface StepRecord {
  stepId: string;
  skillId: string;
  status: 'succeeded' | 'failed' | 'skipped' | 'pending_approval' | 'running';
  childRunId?: string;
  startedAt?: Date;
  finishedAt?: Date;
  output?: unknown;
  error?: unknown;
}

/** A request a handler makes to run another skill through the engine (pipelines). */
export interface ChildRunRequest {
  skill: string;
  input: Record<string, unknown>;
  mode: RunMode;
  stepId: string;
}

export interface ChildRunResult {
  runId: string;
  status: string;
  output?: unknown;
  preview?: unknown;
  error?: { code: string; message: string };
}

/** What the engine gives a handler. Handlers never import the engine. */
export interface HandlerContext {
  skill: Skill;
  input: Record<string, unknown>;
  mode: RunMode;
  signal: AbortSignal;
  runId: string;
  requestId: string;
  principal: Principal;
  tenant: string;
  db: Db;
  config: Config;
  log: Logger;
  /** Reads a secret by env name (env or `$SKILLGATE_HOME/secrets/.env`); values are redacted in logs. */
  secret(name: string): string | undefined;
  /** The configured embedder (memory, library); builtins fall back to the offline hash embedder when absent. */
  embedder?: import('../memory/embedders/embedder.js').Embedder;
  /** Runs another skill through the engine (every gate applies), as a child of this run. */
  invoke(req: ChildRunRequest): Promise<ChildRunResult>;
  /** Reports progress of a step (pipelines); recorded and shown on terminals and chat. */
  step(record: StepRecord): void;
}

export interface HandlerResult {
  output: unknown;
  /** Actual cost when it differs from the estimate (LLM calls). */
  costUsd?: number;
  tokens?: number;
}

/**
 * A handler runs a skill. `preview` must have no side effects: it describes what `run` would do
 * (rows affected, the request that would be sent, the plan). Read-only skills may omit `preview`;
 * the engine then runs them for real in dry-run mode, which is harmless by definition.
 */
export interface Handler {
  run(ctx: HandlerContext): Promise<HandlerResult>;
  preview?(ctx: HandlerContext): Promise<unknown>;
}

/** A TypeScript function registered under a name, for `handler: {type: builtin, name}`. */
export interface BuiltinHandler {
  run(ctx: HandlerContext): Promise<HandlerResult | unknown>;
  preview?(ctx: HandlerContext): Promise<unknown>;
}
