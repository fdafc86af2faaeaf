import { type BuiltinRegistry, mergeBuiltins } from '../tools/builtins/builtin-registry.js';
import { crmBuiltins } from '../tools/builtins/crm-builtins.js';
import { invoicesBuiltins } from '../tools/builtins/invoices-builtins.js';
import { opsBuiltins } from '../tools/builtins/ops-builtins.js';
import { reportsBuiltins } from '../tools/builtins/reports-builtins.js';
import { webBuiltins } from '../tools/builtins/web-builtins.js';

/**
 * Every builtin handler Skillgate ships, composed in one place. Packs add their table here.
 */
export function shippedBuiltins(): BuiltinRegistry {
  return mergeBuiltins(crmBuiltins, invoicesBuiltins, reportsBuiltins, opsBuiltins, webBuiltins);
}
