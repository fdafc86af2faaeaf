import type { BuiltinHandler } from '../handler.js';
import { markPaidBuiltin } from './invoices/mark-paid.js';
import { sendReminderBuiltin } from './invoices/send-reminder.js';

/** Builtin handlers of the `invoices` pack (`skills/invoices/*.yaml`), by skill id. */
export const invoicesBuiltins: Record<string, BuiltinHandler> = {
  'invoices.send_reminder': sendReminderBuiltin,
  'invoices.mark_paid': markPaidBuiltin,
};
