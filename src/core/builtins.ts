import { libraryBuiltins } from '../memory/library/library-builtins.js';
import { memoryBuiltins } from '../memory/memory-builtins.js';
import { type BuiltinRegistry, mergeBuiltins } from '../tools/builtins/builtin-registry.js';
import { createCodeBuiltins, type RunGenerateFn } from '../tools/builtins/code-builtins.js';
import { crmBuiltins } from '../tools/builtins/crm-builtins.js';
import { invoicesBuiltins } from '../tools/builtins/invoices-builtins.js';
import { opsBuiltins } from '../tools/builtins/ops-builtins.js';
import { reportsBuiltins } from '../tools/builtins/reports-builtins.js';
import { schedulesBuiltins } from '../tools/builtins/schedules-builtins.js';
import { webBuiltins } from '../tools/builtins/web-builtins.js';

export interface ShippedBuiltinsOptions {
  /** The model `code.repeatability` samples from when no samples are given (default none). */
  generate?: RunGenerateFn;
}

/**
 * Every builtin handler Skillgate ships, composed in one place. Packs add their table here.
 */
export function shippedBuiltins(options: ShippedBuiltinsOptions = {}): BuiltinRegistry {
  return mergeBuiltins(
    crmBuiltins,
    invoicesBuiltins,
    reportsBuiltins,
    opsBuiltins,
    webBuiltins,
    memoryBuiltins,
    libraryBuiltins,
    schedulesBuiltins,
    createCodeBuiltins({ generate: options.generate }),
  );
}
