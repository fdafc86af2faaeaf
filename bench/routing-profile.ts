/**
 * Where a route's milliseconds go: times each step of `PgSkillRouter.signals()` separately
 * (embedding the query, the feedback query, the lexical index, the candidate SQL, JS scoring)
 * plus a bare `SELECT 1` (PGlite's fixed per-query overhead) and the whole `route()` call, at
 * BENCH_SKILLS synthetic skills (default 1,000) on top of the shipped catalogue. Prints medians
 * and p95s, then EXPLAIN ANALYZE of the candidate query for one query.
 *
 *   npx tsx bench/routing-profile.ts     # BENCH_QUERIES=200, BENCH_SKILLS=1000 by default
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createApp } from '../src/core/app.js';
import { loadConfig } from '../src/core/config/load-config.js';
import { silentLogger } from '../src/core/logger.js';
import { resolvePrincipal } from '../src/core/principals.js';
import { PgliteDb } from '../src/db/pglite-db.js';
import { embedOne } from '../src/memory/embedders/embedder.js';
import { HashEmbedder } from '../src/memory/embedders/hash-embedder.js';
import { LexicalIndex } from '../src/memory/routing/lexical-index.js';
import { parseRoutingCases } from '../src/memory/routing/routing-eval.js';
import { feedbackAdjustments } from '../src/memory/routing/routing-feedback.js';
import { SkillIndex } from '../src/memory/routing/skill-index.js';
import { candidateSql, orTsQuery, PgSkillRouter } from '../src/memory/routing/skill-router.js';
import { formatVector } from '../src/memory/vector/vector-sql.js';
import { syntheticSkills } from './routing-synthetic.js';

const QUERIES = Number(process.env.BENCH_QUERIES ?? 200);
const SKILLS = Number(process.env.BENCH_SKILLS ?? 1000);
const root = join(import.meta.dirname, '..');
const queries = [
  ...parseRoutingCases(readFileSync(join(root, 'evals/routing/dev.jsonl'), 'utf8')),
  ...parseRoutingCases(readFileSync(join(root, 'evals/routing/golden.jsonl'), 'utf8')),
].map((c) => c.query);

const { config } = loadConfig({ env: {}, cwd: '/tmp', overrides: { log_level: 'silent' } });
const principal = resolvePrincipal(config, 'local');
const db = await PgliteDb.open();
const app = await createApp({ config, db, seed: false, logger: silentLogger });
const embedder = new HashEmbedder();
const skills = [...app.registry.list(), ...(SKILLS > 0 ? syntheticSkills(SKILLS) : [])];
await new SkillIndex(db, embedder).upsert(skills.slice(app.registry.size));
const lexical = new LexicalIndex();
lexical.rebuild(skills);
const router = new PgSkillRouter({ db, embedder, lexical });
const d = embedder.dimensions;

const times = new Map<string, number[]>();
async function step<T>(name: string, fn: () => Promise<T> | T): Promise<T> {
  const t = performance.now();
  const out = await fn();
  const list = times.get(name) ?? [];
  list.push(performance.now() - t);
  times.set(name, list);
  return out;
}

for (let round = 0; round < 2; round++) {
  times.clear();
  for (let i = 0; i < QUERIES; i++) {
    const q = queries[i % queries.length];
    await step('select 1', () => db.query('SELECT 1'));
    const v = await step('embed query', () => embedOne(embedder, q));
    const vec = await step('format vector', () => formatVector(v));
    await step('feedback query', () => feedbackAdjustments(db, principal.tenant, vec, d));
    const lex = await step('lexical score', () => lexical.score(q));
    const extra = [...lex]
      .sort((a, b) => b[1].document + b[1].example - (a[1].document + a[1].example))
      .slice(0, 15)
      .map(([id]) => id);
    await step('candidate sql', () =>
      db.query(candidateSql(d), [vec, orTsQuery(q), 30, 15, extra, principal.tenant]),
    );
    await step('route() total', () => router.route(q, { principal }));
  }
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.floor((p / 100) * xs.length)];
console.log(
  `skills: ${skills.length}, queries: ${QUERIES}, loadavg: ${readFileSync('/proc/loadavg', 'utf8').trim()}`,
);
console.table(
  [...times].map(([name, xs]) => ({
    step: name,
    'p50 ms': pct(xs, 50).toFixed(3),
    'p95 ms': pct(xs, 95).toFixed(3),
  })),
);
const vec = formatVector(await embedOne(embedder, queries[0]));
const plan = await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN ANALYZE ${candidateSql(d)}`, [
  vec,
  orTsQuery(queries[0]),
  30,
  15,
  [],
  principal.tenant,
]);
console.log(plan.rows.map((r) => r['QUERY PLAN']).join('\n'));
await app.close();
