import type { Skill } from '../../tools/skill.js';
import type { Config, Risk } from '../config/config-schema.js';
import { SkillgateError } from '../errors.js';
import type { Principal } from '../principal.js';
import { permissionMatches, skillGlobMatches } from './permissions.js';

const RISK_ORDER: Record<Risk, number> = { low: 0, medium: 1, high: 2 };

export interface ApprovalRequirement {
  /** `auto`: run now; `require`: approval first; `deny`: never for this principal. */
  decision: 'auto' | 'require' | 'deny';
  approverRoles: string[];
  quorum: number;
  allowSelf: boolean;
  expiresInMs: number;
  reason: string;
}

export interface PolicyDecision {
  allowed: boolean;
  /** Why, in one sentence (shown in `policy.denied`). */
  reason: string;
  approval: ApprovalRequirement;
}

/**
 * RBAC: the principal needs, for every permission the skill requires, a role that grants it and
 * whose `max_risk` covers the skill's risk. Fails closed: unknown roles grant nothing.
 */
export function checkPermissions(
  config: Config,
  principal: Principal,
  skill: Skill,
): { allowed: boolean; reason: string } {
  for (const perm of skill.permissions) {
    const granting = principal.roles.filter((r) => {
      const role = config.roles[r];
      return role?.permissions.some((p) => permissionMatches(p, perm));
    });
    if (granting.length === 0) {
      return {
        allowed: false,
        reason: `${principal.id} has no role granting "${perm}" (roles: ${principal.roles.join(', ') || 'none'}).`,
      };
    }
    const riskOk = granting.some((r) => RISK_ORDER[config.roles[r].max_risk] >= RISK_ORDER[skill.spec.risk]);
    if (!riskOk) {
      return {
        allowed: false,
        reason: `${principal.id}'s roles (${granting.join(', ')}) grant "${perm}" only up to a lower risk than ${skill.spec.risk}.`,
      };
    }
  }
  return { allowed: true, reason: `granted ${skill.permissions.join(', ')}` };
}

/**
 * Decides whether a run needs approval, from the skill's effects, risk and approval mode, the
 * global approval policy, and per-skill overrides (later overrides win). Read-only skills never
 * need approval unless their mode is `always` or a policy says so.
 */
export function approvalRequirement(config: Config, principal: Principal, skill: Skill): ApprovalRequirement {
  const spec = skill.spec;
  let decision: ApprovalRequirement['decision'];
  let reason: string;
  if (spec.approval.mode === 'always') {
    decision = 'require';
    reason = 'the skill always requires approval';
  } else if (spec.approval.mode === 'never') {
    decision = 'auto';
    reason = 'the skill never requires approval';
  } else if (spec.effects !== 'read' && config.approval.require_for_risk.includes(spec.risk)) {
    decision = 'require';
    reason = `${spec.risk}-risk ${spec.effects} skills require approval`;
  } else {
    decision = 'auto';
    reason = `${spec.risk}-risk ${spec.effects} skills run without approval`;
  }
  let approverRoles = spec.approval.approvers ?? config.approval.approver_roles;
  let quorum = spec.approval.quorum ?? config.approval.quorum;
  let allowSelf = false;
  for (const o of config.policies) {
    if (!skillGlobMatches(o.skill, spec.id)) continue;
    if (o.roles && !o.roles.some((r) => principal.roles.includes(r))) continue;
    if (o.approval) {
      decision = o.approval;
      reason = `policy for ${o.skill}${o.roles ? ` (roles ${o.roles.join(', ')})` : ''} says ${o.approval}`;
    }
    if (o.approvers) approverRoles = o.approvers;
    if (o.quorum) quorum = o.quorum;
    if (o.allow_self_approval !== undefined) allowSelf = o.allow_self_approval;
  }
  return {
    decision,
    approverRoles,
    quorum,
    allowSelf,
    expiresInMs: spec.approval.expires_in ?? config.approval.expires_in,
    reason,
  };
}

/** Policy for one run: tenant isolation, RBAC, approval requirement. */
export function decidePolicy(
  config: Config,
  principal: Principal,
  skill: Skill,
  tenant: string,
): PolicyDecision {
  const approval = approvalRequirement(config, principal, skill);
  if (tenant !== principal.tenant) {
    return {
      allowed: false,
      reason: `principal ${principal.id} belongs to tenant ${principal.tenant}, not ${tenant}`,
      approval,
    };
  }
  const perm = checkPermissions(config, principal, skill);
  return { allowed: perm.allowed, reason: perm.reason, approval };
}

export function assertAllowed(decision: PolicyDecision, principal: Principal, skill: Skill): void {
  if (!decision.allowed) {
    throw new SkillgateError('policy.denied', `Not allowed to run ${skill.id}: ${decision.reason}`, {
      skill: skill.id,
      principal: principal.id,
    });
  }
}
