import type { BuiltinHandler } from '../handler.js';
import { deleteCustomersBuiltin } from './crm/delete-customers.js';

/** Builtin handlers of the `crm` pack (`skills/crm/*.yaml`), by skill id. The other crm skills are `sql`. */
export const crmBuiltins: Record<string, BuiltinHandler> = {
  'crm.delete_customers': deleteCustomersBuiltin,
};
