import type { BuiltinHandler } from '../handler.js';
import { rollbackBuiltin, runDeployBuiltin, verifyHealthBuiltin } from './ops/deploy-steps.js';
import { restartServiceBuiltin } from './ops/restart-service.js';
import { runHistoryBuiltin } from './ops/run-history.js';
import { runStatsBuiltin } from './ops/run-stats.js';
import { serviceStatusBuiltin } from './ops/service-status.js';

/** Builtin handlers of the `ops` pack (`skills/ops/*.yaml`), by skill id. */
export const opsBuiltins: Record<string, BuiltinHandler> = {
  'ops.service_status': serviceStatusBuiltin,
  'ops.restart_service': restartServiceBuiltin,
  'ops.run_deploy': runDeployBuiltin,
  'ops.verify_health': verifyHealthBuiltin,
  'ops.rollback': rollbackBuiltin,
  'ops.run_history': runHistoryBuiltin,
  'ops.run_stats': runStatsBuiltin,
};
