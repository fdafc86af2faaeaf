// `node --import ./conformance-node20.mjs <conformance>`: lets @modelcontextprotocol/conformance run
// on Node 20. It imports `globSync` from `fs`, which exists only from Node 22; this hook hands that
// package (and only it) a copy of `fs` with a small `globSync`.
import { register } from 'node:module';

register('./fs-glob-hooks.mjs', import.meta.url);
