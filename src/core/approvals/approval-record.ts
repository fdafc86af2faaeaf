import type { Risk } from '../config/config-schema.js';
import type { Principal } from '../principal.js';

export type ApprovalStatus =
  | 'pending'
  | 'approved'
  | 'denied'
  | 'expired'
  | 'executing'
  | 'executed'
  | 'failed'
  | 'cancelled';

export interface ApprovalDecisionRecord {
  principal: string;
  decision: 'approve' | 'deny';
  comment?: string | null;
  channel: string;
  decidedAt: Date;
}

/** A durable approval: what exactly will run (input + hash + preview), who asked, who may decide. */
export interface ApprovalRecord {
  id: string;
  tenant: string;
  runId: string;
  skillId: string;
  skillVersion: string;
  input: Record<string, unknown>;
  inputHash: string;
  preview: unknown;
  requestedBy: string;
  requester: Principal;
  channel: string;
  risk: Risk;
  reason: string;
  approverRoles: string[];
  quorum: number;
  allowSelf: boolean;
  status: ApprovalStatus;
  createdAt: Date;
  expiresAt: Date;
  decidedAt?: Date | null;
  executedAt?: Date | null;
  decisions: ApprovalDecisionRecord[];
}
