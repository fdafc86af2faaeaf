import type { Principal } from '../core/principal.js';
import type { RunErrorInfo } from '../core/run-request.js';
import type { Plan, Statement } from './plan/plan-schema.js';

/**
 * Lifecycle of an agent run: `planning` -> `running` -> (`waiting_approval` <-> `running`) ->
 * `succeeded` | `failed` | `escalated` | `needs_input` (a clarifying question) | `cancelled`.
 */
export type AgentRunStatus =
  | 'planning'
  | 'running'
  | 'waiting_approval'
  | 'needs_input'
  | 'escalated'
  | 'succeeded'
  | 'failed'
  | 'cancelled';

export const FINAL_AGENT_STATUSES: ReadonlySet<AgentRunStatus> = new Set([
  'needs_input',
  'escalated',
  'succeeded',
  'failed',
  'cancelled',
]);

export type AgentStepStatus =
  | 'pending'
  | 'running'
  | 'waiting_approval'
  | 'succeeded'
  | 'failed'
  | 'skipped'
  | 'reused';

/** One execution of a plan step (a `for_each` step has one per item: `s2#0`, `s2#1`). */
export interface AgentStepRecord {
  agentRunId: string;
  planVersion: number;
  stepKey: string;
  stepId: string;
  itemIndex?: number | null;
  skillId: string;
  input?: Record<string, unknown>;
  inputHash?: string | null;
  status: AgentStepStatus;
  /** The engine run (channel `agent`, request id = the agent run id). */
  runId?: string | null;
  approvalId?: string | null;
  output?: unknown;
  error?: RunErrorInfo | null;
  attempts: number;
  /** Which prompt produced the step: `planner@1.1.0`, `executor@1.1.0`, `offline-planner@1`. */
  prompt?: string | null;
  startedAt?: Date | null;
  finishedAt?: Date | null;
  durationMs?: number | null;
}

/** Loop counters that survive a pause. */
export interface AgentState {
  replans: number;
}

export interface Escalation {
  summary: string;
  reasons: string[];
}

export interface AgentRunRecord {
  id: string;
  tenant: string;
  principal: string;
  requester: Principal;
  channel: string;
  request: string;
  status: AgentRunStatus;
  mode: 'offline' | 'model';
  goal?: string | null;
  planVersion: number;
  criticRounds: number;
  answer?: string | null;
  answerData?: AnswerData | null;
  question?: string | null;
  escalation?: Escalation | null;
  error?: RunErrorInfo | null;
  state: AgentState;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  createdAt: Date;
  updatedAt: Date;
  finishedAt?: Date | null;
  durationMs?: number | null;
  /** Set when the ask carried one: a replay of the same ask returns this run (never plans again). */
  idempotencyKey?: string | null;
}

/** A library passage an answer relies on. */
export interface AnswerCitation {
  index: number;
  step: string;
  document_id: string;
  title: string;
  heading?: string;
  lines?: [number, number];
  quote: string;
}

export interface AnswerData {
  statements: Statement[];
  citations: AnswerCitation[];
}

export interface PlanRecord {
  version: number;
  attempt: number;
  source: 'offline' | 'model';
  prompt: string;
  plan: Plan;
  valid: boolean;
  issues: string[];
  reason: string;
  createdAt: Date;
}

export interface CritiqueRecord {
  round: number;
  planVersion: number;
  verdict: 'approve' | 'revise' | 'escalate';
  reasons: string[];
  summary?: string | null;
  source: 'offline' | 'model';
  prompt: string;
  createdAt: Date;
}

export interface ModelCallRecord {
  role: string;
  model: string;
  prompt: string;
  attempt: number;
  fallback: boolean;
  status: 'ok' | 'error' | 'refused';
  inputTokens: number;
  outputTokens: number;
  usd: number;
  latencyMs: number;
  errorCode?: string | null;
  error?: string | null;
  createdAt?: Date;
}

export type AgentEventType =
  | 'agent_started'
  | 'plan_created'
  | 'plan_rejected'
  | 'step_started'
  | 'step_finished'
  | 'waiting_approval'
  | 'resumed'
  | 'critic_verdict'
  | 'model_call'
  | 'agent_finished';

/** Live progress of an agent run (the CLI prints it; chat surfaces may post it). */
export interface AgentEvent {
  type: AgentEventType;
  agentRunId: string;
  ts: Date;
  data: Record<string, unknown>;
}

/** What `ask` and `resume` return: the run's state with its answer, question or pending approvals. */
export interface AgentRunResult {
  id: string;
  status: AgentRunStatus;
  mode: 'offline' | 'model';
  goal?: string;
  answer?: string;
  statements: Statement[];
  citations: AnswerCitation[];
  /** The clarifying question when `needs_input`. */
  question?: string;
  escalation?: Escalation;
  error?: RunErrorInfo;
  plan?: Plan;
  planVersion: number;
  steps: AgentStepRecord[];
  /** Approvals the run waits for. */
  approvals: { approvalId: string; stepKey: string; skill: string }[];
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  durationMs: number;
  /** Set when this is the stored run of an earlier ask with the same idempotency key. */
  replayed?: boolean;
}
