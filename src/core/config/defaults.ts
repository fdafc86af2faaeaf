import type { Config } from './config-schema.js';

/** Roles every installation has unless the config redefines them (see CATALOGUE.md). */
export const DEFAULT_ROLES: Config['roles'] = {
  viewer: { description: 'Read everything', permissions: ['*.read'], max_risk: 'high' },
  operator: {
    description: 'Read, write and external actions of low or medium risk',
    permissions: ['*.read', '*.write', '*.external'],
    max_risk: 'medium',
  },
  admin: { description: 'Everything', permissions: ['*'], max_risk: 'high' },
  approver: { description: 'Reads, and may decide approvals', permissions: ['*.read'], max_risk: 'high' },
};

/** Principals of a fresh laptop install: the local operator of the CLI, and an approver. */
export const DEFAULT_PRINCIPALS: Config['principals'] = {
  local: { display_name: 'Local user', tenant: 'default', roles: ['admin'] },
};
