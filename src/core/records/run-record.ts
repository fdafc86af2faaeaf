import type { RunMode, StepRecord } from '../../tools/handler.js';

export type RunStatus =
  | 'rejected'
  | 'waiting_approval'
  | 'running'
  | 'succeeded'
  | 'failed'
  | 'denied'
  | 'expired'
  | 'dry_run'
  | 'interrupted'
  | 'cancelled';

export interface RunRecord {
  id: string;
  tenant: string;
  requestId: string;
  parentRunId?: string | null;
  principal: string;
  channel: string;
  skillId?: string | null;
  skillVersion?: string | null;
  query?: string | null;
  input?: unknown;
  inputHash?: string | null;
  mode: RunMode;
  status: RunStatus;
  output?: unknown;
  preview?: unknown;
  error?: unknown;
  approvalId?: string | null;
  costUsd: number;
  tokens: number;
  attempts: number;
  createdAt: Date;
  startedAt?: Date | null;
  finishedAt?: Date | null;
  durationMs?: number | null;
  steps?: StepRecord[];
}
