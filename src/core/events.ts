/** Event types the engine emits (DESIGN.md), plus run lifecycle events for progress and metrics. */
export type EngineEventType =
  | 'request_received'
  | 'routing_candidates'
  | 'routing_decision'
  | 'policy_decision'
  | 'idempotency_hit'
  | 'budget_check'
  | 'approval_requested'
  | 'approval_decided'
  | 'approval_expired'
  | 'step_progress'
  | 'execution_started'
  | 'execution_result';

export interface EngineEvent {
  type: EngineEventType;
  requestId: string;
  runId?: string;
  tenant: string;
  skillId?: string;
  ts: Date;
  data: Record<string, unknown>;
}

export type EventListener = (event: EngineEvent) => void;
