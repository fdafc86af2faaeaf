import type { BuiltinHandler } from '../handler.js';
import { usageReportBuiltin } from './reports/usage-report.js';
import { composeWeeklySummaryBuiltin } from './reports/weekly-summary.js';

/** Builtin handlers of the `reports` pack (`skills/reports/*.yaml`), by skill id. */
export const reportsBuiltins: Record<string, BuiltinHandler> = {
  'reports.usage': usageReportBuiltin,
  'reports.compose_weekly_summary': composeWeeklySummaryBuiltin,
};
