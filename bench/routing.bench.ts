/**
 * Routing latency: `router.route()` p50/p95 with the shipped catalogue and with 1,000 and 10,000
 * synthetic skills, on PGlite (in memory). Baseline in the same run: the same queries with the
 * HNSW indexes disabled (exact scans), so the ratio shows what the indexes buy as the catalogue grows.
 * Aim: p95 <= 5 ms at 1,000 skills and <= 20 ms at 10,000.
 *
 *   npm run bench:routing            # BENCH_QUERIES=300 by default
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
import type { Skill } from '../src/tools/skill.js';
import { parseSkillFile } from '../src/tools/skill-loader.js';

const QUERIES = Number(process.env.BENCH_QUERIES ?? 300);
const root = join(import.meta.dirname, '..');
const queries = [
  ...parseRoutingCases(readFileSync(join(root, 'evals/routing/dev.jsonl'), 'utf8')),
  ...parseRoutingCases(readFileSync(join(root, 'evals/routing/golden.jsonl'), 'utf8')),
].map((c) => c.query);

const WORDS = {
  verb: [
    'list',
    'create',
    'delete',
    'update',
    'show',
    'sync',
    'export',
    'import',
    'archive',
    'approve',
    'rotate',
    'scan',
    'count',
    'merge',
    'tag',
    'notify',
  ],
  noun: [
    'ticket',
    'order',
    'shipment',
    'lead',
    'contract',
    'asset',
    'license',
    'device',
    'alert',
    'incident',
    'payroll',
    'vendor',
    'budget',
    'campaign',
    'repository',
    'certificate',
    'backup',
    'invoice',
    'customer',
    'report',
    'meeting',
    'expense',
    'warehouse',
    'sensor',
  ],
  domain: [
    'sales',
    'support',
    'finance',
    'hr',
    'security',
    'logistics',
    'marketing',
    'devops',
    'legal',
    'facilities',
    'procurement',
    'research',
  ],
  extra: [
    'for a team',
    'by region',
    'older than a week',
    'in the staging area',
    'from the partner portal',
    'with high priority',
    'for the quarter',
    'that failed checks',
  ],
};

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function syntheticSkills(n: number): Skill[] {
  const r = rng(n);
  const pick = <T>(a: T[]) => a[Math.floor(r() * a.length)];
  const out: Skill[] = [];
  for (let i = 0; i < n; i++) {
    const v = pick(WORDS.verb);
    const no = pick(WORDS.noun);
    const d = pick(WORDS.domain);
    const examples = Array.from(
      { length: 5 },
      () => `${pick(WORDS.verb)} the ${d} ${no}s ${pick(WORDS.extra)}`,
    );
    const yaml = `id: syn${i}.${v}_${no}
version: 1.0.0
title: ${v} ${d} ${no}s ${i}
description: ${v[0].toUpperCase()}${v.slice(1)} ${no}s of the ${d} department ${pick(WORDS.extra)}; synthetic skill ${i}.
tags: [${d}, ${no}]
examples: ${JSON.stringify(examples)}
effects: read
risk: low
handler: { type: builtin, name: none }
`;
    const parsed = parseSkillFile(`synthetic-${i}.yaml`, yaml);
    if (!parsed.skill) throw new Error(parsed.problems.map((p) => p.reason).join('; '));
    out.push(parsed.skill);
  }
  return out;
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

async function measure(router: PgSkillRouter, principal: ReturnType<typeof resolvePrincipal>) {
  for (let i = 0; i < 30; i++) await router.route(queries[i % queries.length], { principal });
  const times: number[] = [];
  for (let i = 0; i < QUERIES; i++) {
    const t = performance.now();
    await router.route(queries[i % queries.length], { principal });
    times.push(performance.now() - t);
  }
  return { p50: pct(times, 50), p95: pct(times, 95) };
}

const { config } = loadConfig({ env: {}, cwd: '/tmp', overrides: { log_level: 'silent' } });
const principal = resolvePrincipal(config, 'local');
const rows: Record<string, string | number>[] = [];

for (const size of ['catalogue', 1000, 10000] as const) {
  const db = await PgliteDb.open();
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
  const exact = await measure(router, principal);
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
console.table(rows);
