import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/core/config/load-config.js';
import { permissionMatches } from '../../src/core/gates/permissions.js';
import { approvalRequirement, checkPermissions } from '../../src/core/gates/policy.js';
import { resolvePrincipal } from '../../src/core/principals.js';
import { parseSkillFile } from '../../src/tools/skill-loader.js';

const skill = (id: string, effects: string, risk: string, extra = '') =>
  parseSkillFile(
    'x.yaml',
    `id: ${id}\nversion: 1.0.0\ntitle: T\ndescription: D\neffects: ${effects}\nrisk: ${risk}\nhandler: {type: builtin, name: n}\n${extra}`,
  ).skill!;

const config = loadConfig({
  env: {},
  cwd: '/tmp',
  overrides: {
    principals: {
      alice: { roles: ['operator'] },
      bob: { roles: ['approver'] },
      root: { roles: ['admin'] },
      ops: { roles: ['sre'] },
    },
    roles: { sre: { permissions: ['ops.*'], max_risk: 'high' } },
    policies: [
      { skill: 'ops.restart_service', roles: ['sre'], approval: 'auto' },
      { skill: 'crm.delete_*', approval: 'require', quorum: 2 },
      { skill: 'memory.forget', approval: 'deny', roles: ['admin'] },
    ],
  },
}).config;
const p = (id: string) => resolvePrincipal(config, id);

describe('permissions', () => {
  it('matches segment wildcards', () => {
    expect(permissionMatches('*', 'crm.read')).toBe(true);
    expect(permissionMatches('*.read', 'crm.read')).toBe(true);
    expect(permissionMatches('crm.*', 'crm.delete')).toBe(true);
    expect(permissionMatches('*.read', 'crm.write')).toBe(false);
    expect(permissionMatches('crm.read', 'crm.read.extra')).toBe(false);
  });

  it('grants by role and caps by max_risk', () => {
    expect(
      checkPermissions(config, p('alice'), skill('crm.update_customer', 'write', 'medium')).allowed,
    ).toBe(true);
    expect(
      checkPermissions(config, p('alice'), skill('crm.delete_customers', 'delete', 'high')).allowed,
    ).toBe(false);
    expect(
      checkPermissions(config, p('alice'), skill('ops.restart_service', 'external', 'high')).reason,
    ).toMatch(/lower risk/);
    expect(checkPermissions(config, p('bob'), skill('crm.find_customer', 'read', 'low')).allowed).toBe(true);
    expect(checkPermissions(config, p('bob'), skill('crm.create_customer', 'write', 'low')).allowed).toBe(
      false,
    );
    expect(checkPermissions(config, p('root'), skill('x.y', 'delete', 'high')).allowed).toBe(true);
  });

  it('fails closed on declared permissions no role grants', () => {
    const s = skill('crm.find_customer', 'read', 'low', 'permissions: [crm.secret_read]');
    expect(checkPermissions(config, p('bob'), s).allowed).toBe(false);
  });
});

describe('approval requirement', () => {
  it('requires approval for high-risk changes and not for reads', () => {
    expect(approvalRequirement(config, p('root'), skill('ops.deploy', 'external', 'high')).decision).toBe(
      'require',
    );
    expect(
      approvalRequirement(config, p('root'), skill('crm.update_customer', 'write', 'medium')).decision,
    ).toBe('auto');
    expect(
      approvalRequirement(config, p('root'), skill('code.repeatability', 'read', 'medium')).decision,
    ).toBe('auto');
  });

  it('applies skill modes and per-skill, per-role policy overrides', () => {
    expect(
      approvalRequirement(config, p('root'), skill('x.y', 'read', 'low', 'approval: {mode: always}'))
        .decision,
    ).toBe('require');
    expect(
      approvalRequirement(config, p('ops'), skill('ops.restart_service', 'external', 'high')).decision,
    ).toBe('auto');
    expect(
      approvalRequirement(config, p('root'), skill('ops.restart_service', 'external', 'high')).decision,
    ).toBe('require');
    const del = approvalRequirement(config, p('root'), skill('crm.delete_customers', 'delete', 'high'));
    expect(del).toMatchObject({
      decision: 'require',
      quorum: 2,
      approverRoles: ['approver', 'admin'],
      allowSelf: false,
    });
    expect(approvalRequirement(config, p('root'), skill('memory.forget', 'delete', 'high')).decision).toBe(
      'deny',
    );
  });
});
