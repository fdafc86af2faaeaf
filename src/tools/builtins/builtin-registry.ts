import type { BuiltinHandler } from '../handler.js';

/** Builtin handlers by name (`handler: {type: builtin, name}`); names usually equal skill ids. */
export type BuiltinRegistry = ReadonlyMap<string, BuiltinHandler>;

/** Merges builtin tables, refusing duplicate names. */
export function mergeBuiltins(...tables: Record<string, BuiltinHandler>[]): BuiltinRegistry {
  const out = new Map<string, BuiltinHandler>();
  for (const table of tables) {
    for (const [name, handler] of Object.entries(table)) {
      if (out.has(name)) throw new Error(`Duplicate builtin handler "${name}"`);
      out.set(name, handler);
    }
  }
  return out;
}
