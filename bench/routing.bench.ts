/**
 * Routing latency: `router.route()` p50/p95 with the shipped catalogue and with 1,000 and 10,000
 * synthetic skills, on PGlite (in memory). Baseline in the same run: the same queries with the
 * HNSW indexes disabled (exact scans), so the ratio shows what the indexes buy as the catalogue grows.
 * Aim: p95 <= 5 ms at 1,000 skills and <= 20 ms at 10,000.
 *
 *   npm run bench:routing            # BENCH_QUERIES=300 by default; BENCH_EXACT_QUERIES=20 for a quicker baseline;
 *                                    # BENCH_SIZES=catalogue,1000 to skip 10,000
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createApp } from '../src/core/app.js';
import { loadConfig } from '../src/core/config/load-config.js';
import { silentLogger } from '../src/core/logger.js';
import { resolvePrincipal } from '../src/core/principals.js';
import { PgliteDb } from '../src/db/pglite-db.js';
import { HashEmbedder } from '../src/memory/embedders/hash-embedder.js';
import { LexicalIndex } from '../src/memory/routing/lexical-index.js';
import { parseRoutingCases } from '../src/memory/routing/routing-eval.js';
import { SkillIndex } from '../src/memory/routing/skill-index.js';
import { PgSkillRouter } from '../src/memory/routing/skill-router.js';
import { benchWasmTier } from './bench-wasm-tier.js';
import { syntheticSkills } from './routing-synthetic.js';

const QUERIES = Number(process.env.BENCH_QUERIES ?? 300);
/** Queries for the exact-scan baseline (slow at 10,000 skills: seconds per query). Default QUERIES. */
const EXACT_QUERIES = Number(process.env.BENCH_EXACT_QUERIES ?? QUERIES);
const root = join(import.meta.dirname, '..');
const queries = [
  ...parseRoutingCases(readFileSync(join(root, 'evals/routing/dev.jsonl'), 'utf8')),
  ...parseRoutingCases(readFileSync(join(root, 'evals/routing/golden.jsonl'), 'utf8')),
].map((c) => c.query);

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

async function measure(
  router: PgSkillRouter,
  principal: ReturnType<typeof resolvePrincipal>,
  count = QUERIES,
) {
  for (let i = 0; i < Math.min(30, count); i++)
    await router.route(queries[i % queries.length], { principal });
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    await router.route(queries[i % queries.length], { principal });
    times.push(performance.now() - t);
  }
  return { p50: pct(times, 50), p95: pct(times, 95) };
}

const { config } = loadConfig({ env: {}, cwd: '/tmp', overrides: { log_level: 'silent' } });
const principal = resolvePrincipal(config, 'local');
const rows: Record<string, string | number>[] = [];

/** Catalogue sizes to measure: `BENCH_SIZES=catalogue,1000` skips the slow 10,000 build. */
const SIZES = (process.env.BENCH_SIZES ?? 'catalogue,1000,10000')
  .split(',')
  .map((s) => (s.trim() === 'catalogue' ? 'catalogue' : Number(s)));
for (const size of SIZES) {
  const db = await PgliteDb.open({ wasmTier: benchWasmTier() });
  const app = await createApp({ config, db, seed: false, logger: silentLogger });
  const embedder = new HashEmbedder();
  const index = new SkillIndex(db, embedder);
  const lexical = new LexicalIndex();
  let skills = app.registry.list();
  let insertMs = 0;
  if (size !== 'catalogue') {
    skills = [...skills, ...syntheticSkills(size)];
    const t = performance.now();
    await index.upsert(skills.slice(app.registry.size));
    insertMs = performance.now() - t;
  }
  lexical.rebuild(skills);
  const router = new PgSkillRouter({ db, embedder, lexical });
  const hnsw = await measure(router, principal);
  await db.exec('SET enable_indexscan = off; SET enable_bitmapscan = off;');
  const exact = await measure(router, principal, EXACT_QUERIES);
  await db.exec('RESET enable_indexscan; RESET enable_bitmapscan;');
  rows.push({
    skills: size === 'catalogue' ? `catalogue (${app.registry.list({ publicOnly: true }).length})` : size,
    'p50 ms': hnsw.p50.toFixed(2),
    'p95 ms': hnsw.p95.toFixed(2),
    'exact p50 ms': exact.p50.toFixed(2),
    'exact p95 ms': exact.p95.toFixed(2),
    'p95 ratio (hnsw/exact)': (hnsw.p95 / exact.p95).toFixed(2),
    'index build s': (insertMs / 1000).toFixed(1),
  });
  await app.close();
}
console.log(
  `queries: ${QUERIES} (exact: ${EXACT_QUERIES}), PGlite wasm tier ${benchWasmTier()}, loadavg: ${readFileSync('/proc/loadavg', 'utf8').trim()}`,
);
console.table(rows);
