import type { WasmTier } from '../src/db/pglite-db.js';

/**
 * The PGlite WebAssembly tier a benchmark runs with: `$SKILLGATE_PGLITE_WASM_TIER` (as for the
 * server), else the product default (`baseline`). Printed with the figures.
 */
export function benchWasmTier(): WasmTier {
  const t = process.env.SKILLGATE_PGLITE_WASM_TIER;
  return t === 'optimizing' ? 'optimizing' : 'baseline';
}
