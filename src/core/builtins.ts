import { type BuiltinRegistry, mergeBuiltins } from '../tools/builtins/builtin-registry.js';

/**
 * Every builtin handler Skillgate ships, composed in one place. Packs add their table here.
 */
export function shippedBuiltins(): BuiltinRegistry {
  return mergeBuiltins();
}
