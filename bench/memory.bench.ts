/**
 * Semantic memory benchmark (`npm run bench:memory`): insert throughput, recall latency p50/p95 and
 * recall@10 of the HNSW index against an exact scan, at 10,000 and 100,000 memories of generated
 * but realistic text, on the embedded PGlite with the offline hash embedder.
 *
 * Options (env): BENCH_SIZES=10000,100000  BENCH_QUERIES=200  BENCH_EF=default,200,800 (`default`:
 * SemanticMemory's own)  BENCH_SHARED_BUFFERS=16MB (PGlite's `shared_buffers`, config
 * `pglite.shared_buffers`; the product default is 16MB, and at 100k rows the table and its HNSW
 * graph (~300 MB) do not fit: the aim at 100k is met with 512MB, as the README advises).
 */
import { loadavg } from 'node:os';
import { migrate } from '../src/db/migrate.js';
import { PgliteDb } from '../src/db/pglite-db.js';
import { HashEmbedder } from '../src/memory/embedders/hash-embedder.js';
import { insertMemories, type NewMemory } from '../src/memory/memory-sql.js';
import type { MemoryActor, MemoryScope } from '../src/memory/memory-types.js';
import { DEFAULT_RECALL_EF_SEARCH, SemanticMemory } from '../src/memory/semantic-memory.js';
import { withDeferredVectorIndex } from '../src/memory/vector/embedding-meta.js';
import { formatVector, hnswOptionsFor, paramExpr, vectorExpr } from '../src/memory/vector/vector-sql.js';
import { benchWasmTier } from './bench-wasm-tier.js';

const SIZES = (process.env.BENCH_SIZES ?? '10000,100000').split(',').map(Number);
const QUERIES = Number(process.env.BENCH_QUERIES ?? 200);
const EFS = (process.env.BENCH_EF ?? 'default,200,800')
  .split(',')
  .map((x) => (x === 'default' ? undefined : Number(x)));
const SHARED_BUFFERS = process.env.BENCH_SHARED_BUFFERS;

// A deterministic PRNG (mulberry32), so every run benchmarks the same data.
let seed = 42;
const rnd = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
};
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];

const V = {
  person: [
    'Alice',
    'Bob',
    'Carol',
    'Dmitri',
    'Elena',
    'Farid',
    'Grace',
    'Hiro',
    'Ines',
    'Jonas',
    'Kemal',
    'Lena',
    'Mateo',
    'Nora',
    'Omar',
    'Priya',
    'Quentin',
    'Rosa',
    'Sven',
    'Tara',
    'Ugo',
    'Vera',
    'Wen',
    'Yusuf',
    'Zoe',
    'Amir',
    'Bianca',
    'Chen',
    'Dara',
    'Emil',
    'Fatima',
    'Gustav',
    'Hana',
    'Ivan',
    'Jasmin',
    'Kai',
  ],
  customer: [
    'ACME',
    'Globex',
    'Initech',
    'Umbrella',
    'Stark Industries',
    'Wayne Enterprises',
    'Hooli',
    'Vandelay',
    'Soylent',
    'Tyrell',
    'Cyberdyne',
    'Wonka',
    'Oscorp',
    'Pied Piper',
    'Aperture',
    'Massive Dynamic',
    'Nakatomi',
    'Gringotts',
    'Monsters Inc',
    'Dunder Mifflin',
    'Bluth Company',
    'Prestige Worldwide',
    'Sterling Cooper',
    'Los Pollos',
  ],
  service: [
    'billing',
    'search',
    'checkout',
    'auth',
    'notifications',
    'reporting',
    'inventory',
    'payments',
    'gateway',
    'analytics',
    'recommendations',
    'shipping',
    'pricing',
    'ledger',
    'identity',
    'media',
    'export',
    'scheduler',
  ],
  region: [
    'Frankfurt',
    'Dublin',
    'Virginia',
    'Oregon',
    'Singapore',
    'Tokyo',
    'Sydney',
    'São Paulo',
    'Mumbai',
    'Stockholm',
    'Montreal',
    'Zurich',
  ],
  team: [
    'design',
    'platform',
    'data',
    'mobile',
    'support',
    'finance',
    'security',
    'growth',
    'legal',
    'sales',
    'infrastructure',
    'research',
    'marketing',
    'QA',
  ],
  weekday: ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday'],
  channel: ['email', 'Slack', 'phone calls', 'text messages', 'video calls', 'a weekly digest', 'Teams'],
  topic: [
    'release',
    'incident',
    'billing',
    'roadmap',
    'hiring',
    'security',
    'budget',
    'support',
    'compliance',
    'pricing',
    'outage',
    'migration',
    'contract',
    'onboarding',
    'performance',
  ],
  plan: ['starter', 'team', 'business', 'enterprise', 'premium support', 'annual'],
  month: [
    'January',
    'February',
    'March',
    'April',
    'May',
    'June',
    'July',
    'August',
    'September',
    'October',
    'November',
    'December',
  ],
  tool: [
    'Terraform',
    'Kubernetes',
    'Postgres',
    'Redis',
    'Kafka',
    'Grafana',
    'Sentry',
    'Jenkins',
    'Airflow',
    'Vault',
    'Nginx',
    'ClickHouse',
  ],
  food: ['vegetarian', 'vegan', 'gluten-free', 'halal', 'kosher', 'nut-free', 'lactose-free'],
  city: ['Berlin', 'Lisbon', 'Austin', 'Toronto', 'Nairobi', 'Seoul', 'Warsaw', 'Madrid', 'Osaka', 'Denver'],
  hobby: [
    'climbing',
    'chess',
    'cycling',
    'jazz piano',
    'pottery',
    'running',
    'photography',
    'sailing',
    'baking',
  ],
};
const num = (lo: number, hi: number) => Math.floor(rnd() * (hi - lo + 1)) + lo;

const FACTS: (() => string)[] = [
  () => `${pick(V.person)} prefers ${pick(V.channel)} for ${pick(V.topic)} updates`,
  () =>
    `The ${pick(V.service)} service runs in ${pick(V.region)} on ${pick(V.tool)} with ${num(2, 40)} replicas`,
  () => `${pick(V.customer)} renewed their ${pick(V.plan)} plan in ${pick(V.month)} for ${num(5, 500)} seats`,
  () => `Invoice ${num(1000, 99999)} for ${pick(V.customer)} is due at the end of ${pick(V.month)}`,
  () =>
    `The ${pick(V.team)} team meets every ${pick(V.weekday)} at ${num(8, 17)}:${pick(['00', '15', '30', '45'])} in room ${num(1, 60)}`,
  () =>
    `${pick(V.person)} is the account owner for ${pick(V.customer)} since ${pick(V.month)} ${num(2018, 2026)}`,
  () => `Deploys of ${pick(V.service)} are frozen on ${pick(V.weekday)}s during the ${pick(V.topic)} review`,
  () => `${pick(V.person)} is on vacation in ${pick(V.city)} until ${pick(V.month)} ${num(1, 28)}`,
  () =>
    `${pick(V.customer)} asked for a ${pick(V.topic)} review with the ${pick(V.team)} team before ${pick(V.month)}`,
  () =>
    `The ${pick(V.service)} on-call rotation is owned by ${pick(V.person)} and ${pick(V.person)} this ${pick(V.month)}`,
  () => `${pick(V.person)} needs ${pick(V.food)} meals at the ${pick(V.city)} offsite`,
  () => `Backups of the ${pick(V.service)} database are kept for ${num(7, 400)} days in ${pick(V.region)}`,
  () => `${pick(V.person)} lives in ${pick(V.city)} and works ${pick(V.weekday)} to ${pick(V.weekday)}`,
  () => `${pick(V.person)} enjoys ${pick(V.hobby)} and ${pick(V.hobby)} on weekends`,
  () =>
    `The ${pick(V.customer)} contract includes a ${num(95, 99)}.${num(0, 9)} percent uptime SLA for ${pick(V.service)}`,
  () => `${pick(V.customer)} escalations go to ${pick(V.person)} on the ${pick(V.team)} team`,
  () => `We migrate ${pick(V.service)} from ${pick(V.tool)} to ${pick(V.tool)} in ${pick(V.month)}`,
  () => `The ${pick(V.team)} budget for ${pick(V.topic)} is ${num(5, 900)} thousand euros this year`,
  () => `${pick(V.person)} reviews every ${pick(V.topic)} pull request for the ${pick(V.service)} service`,
  () => `${pick(V.customer)} pays invoices by bank transfer within ${num(10, 90)} days`,
  () => `The ${pick(V.city)} office opens at ${num(7, 10)}am and the badge desk is on floor ${num(1, 12)}`,
  () =>
    `Password rotation for ${pick(V.tool)} happens every ${num(30, 180)} days, owned by ${pick(V.person)}`,
];

const SUFFIX: (() => string)[] = [
  () => `, according to ${pick(V.person)}`,
  () => ` (ticket ${pick(['OPS', 'FIN', 'SEC', 'CS'])}-${num(100, 9999)})`,
  () => `, noted after the ${pick(V.month)} ${pick(V.topic)} sync`,
  () => `; confirm with ${pick(V.person)} before changing it`,
];

const fact = () => pick(FACTS)() + (rnd() < 0.4 ? pick(SUFFIX)() : '');

const QUERY_TEMPLATES: (() => string)[] = [
  () => `how does ${pick(V.person)} like to get ${pick(V.topic)} news?`,
  () => `where is the ${pick(V.service)} service hosted?`,
  () => `which plan did ${pick(V.customer)} renew?`,
  () => `when is the ${pick(V.customer)} invoice due?`,
  () => `when does the ${pick(V.team)} team meet?`,
  () => `who owns the ${pick(V.customer)} account?`,
  () => `are ${pick(V.service)} deploys frozen?`,
  () => `when is ${pick(V.person)} back from vacation?`,
  () => `how long do we keep ${pick(V.service)} backups?`,
  () => `what food does ${pick(V.person)} need at the offsite?`,
  () => `what are ${pick(V.person)}'s hobbies?`,
  () => `who handles ${pick(V.customer)} escalations?`,
  () => `what is the ${pick(V.team)} budget for ${pick(V.topic)}?`,
  () => `when does the ${pick(V.city)} office open?`,
];

const SCOPES: MemoryScope[] = ['kb', 'kb', 'kb', 'kb', 'kb', 'kb', 'kb', 'org', 'org', 'user'];

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

const fmt = (x: number, d = 1) => x.toFixed(d);

async function benchSize(n: number): Promise<void> {
  console.log(`\n== ${n.toLocaleString('en')} memories ==`);
  const db = await PgliteDb.open({ sharedBuffers: SHARED_BUFFERS, wasmTier: benchWasmTier() });
  await migrate(db);
  const embedder = new HashEmbedder();
  const principals = Array.from({ length: 50 }, (_, i) => `user${i}`);
  const texts = Array.from({ length: n }, fact);

  let t = performance.now();
  const vectors = await embedder.embed(texts);
  const embedMs = performance.now() - t;
  console.log(
    `embed:            ${fmt(n / (embedMs / 1000), 0)} texts/s (hash embedder, ${fmt(embedMs / 1000, 2)} s)`,
  );

  const now = new Date();
  const rows: NewMemory[] = texts.map((text, i) => {
    const scope = pick(SCOPES);
    return {
      id: `mem_${String(i).padStart(7, '0')}`,
      tenant: 'bench',
      scope,
      owner: scope === 'user' ? pick(principals) : '',
      key: null,
      text,
      tags: rnd() < 0.3 ? [pick(V.topic)] : [],
      vector: vectors[i],
      createdBy: 'bench',
      now,
      expiresAt: null,
    };
  });

  // Online inserts into the live HNSW index (what a busy server does), on a sample.
  const live = rows.slice(0, Math.min(2000, Math.floor(n / 5)));
  t = performance.now();
  for (let i = 0; i < live.length; i += 500)
    await db.tx((q) => insertMemories(q, embedder, live.slice(i, i + 500)));
  const liveMs = performance.now() - t;
  console.log(
    `insert (live HNSW index): ${fmt(live.length / (liveMs / 1000), 0)} vectors/s (${live.length} rows)`,
  );

  // Bulk load of the rest: index deferred, rebuilt once.
  const rest = rows.slice(live.length);
  t = performance.now();
  let insertMs = 0;
  await withDeferredVectorIndex(db, 'memories', embedder.dimensions, async () => {
    for (let i = 0; i < rest.length; i += 2000) {
      await db.tx((q) => insertMemories(q, embedder, rest.slice(i, i + 2000)));
    }
    insertMs = performance.now() - t;
  });
  const bulkMs = performance.now() - t;
  console.log(
    `insert (bulk):    ${fmt(rest.length / (insertMs / 1000), 0)} vectors/s without index; ` +
      `index build ${fmt((bulkMs - insertMs) / 1000, 1)} s; ${fmt(rest.length / (bulkMs / 1000), 0)} vectors/s overall`,
  );

  const o = hnswOptionsFor('memories');
  console.log(`index:            HNSW m=${o.m} ef_construction=${o.efConstruction}`);
  const queries = Array.from({ length: QUERIES }, () => pick(QUERY_TEMPLATES)());
  const actor: MemoryActor = { tenant: 'bench', principalId: 'user7' };
  const dims = embedder.dimensions;

  // Ground truth: the same visibility filter, exact scan (no index).
  const exact: { ids: Set<string>; kth: number; meanSim: number }[] = [];
  const exactMs: number[] = [];
  for (const q of queries) {
    const v = formatVector((await embedder.embed([q]))[0]);
    t = performance.now();
    const r = await db.tx(async (tx) => {
      await tx.query('SET LOCAL enable_indexscan = off');
      return tx.query<{ id: string; d: number }>(
        `SELECT id, ${vectorExpr(dims)} <=> ${paramExpr(dims, 1)} AS d FROM memories
          WHERE tenant = 'bench' AND dims = ${dims} AND embedder = $2
            AND ((scope = 'user' AND owner = 'user7') OR (scope = 'session' AND owner = 'principal:user7') OR scope IN ('org', 'kb'))
          ORDER BY ${vectorExpr(dims)} <=> ${paramExpr(dims, 1)} LIMIT 10`,
        [v, embedder.name],
      );
    });
    exactMs.push(performance.now() - t);
    exact.push({
      ids: new Set(r.rows.map((x) => x.id)),
      kth: Number(r.rows.at(-1)?.d ?? 2),
      meanSim: r.rows.reduce((a, x) => a + 1 - Number(x.d), 0) / Math.max(1, r.rows.length),
    });
  }
  console.log(
    `exact scan:       p50 ${fmt(percentile(exactMs, 50))} ms, p95 ${fmt(percentile(exactMs, 95))} ms`,
  );

  for (const ef of EFS) {
    const mem = new SemanticMemory(db, embedder, { efSearch: ef });
    const lat: number[] = [];
    let hits = 0;
    let simGap = 0;
    for (const [i, q] of queries.entries()) {
      t = performance.now();
      const got = await mem.recall(actor, { query: q, limit: 10, minScore: -1 });
      lat.push(performance.now() - t);
      // A hit is a true top-10 row, or one exactly as close as the 10th (ties).
      hits += got.filter((m) => exact[i].ids.has(m.id) || 1 - m.score <= exact[i].kth + 1e-4).length;
      simGap += exact[i].meanSim - got.reduce((a, m) => a + m.score, 0) / Math.max(1, got.length);
    }
    console.log(
      `HNSW ef_search=${String(ef ?? `default (${DEFAULT_RECALL_EF_SEARCH})`).padEnd(4)} recall(): p50 ${fmt(percentile(lat, 50))} ms, p95 ${fmt(percentile(lat, 95))} ms, ` +
        `recall@10 ${fmt(hits / (queries.length * 10), 3)}, mean top-10 similarity ${fmt(simGap / queries.length, 4)} below exact`,
    );
  }
  await db.close();
}

const started = performance.now();
console.log(
  `memory bench: hash embedder (384 dims), PGlite (shared_buffers ${SHARED_BUFFERS ?? '16MB, the default'}, wasm tier ${benchWasmTier()}), ` +
    `${QUERIES} queries per size; node ${process.version}; load ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
);
for (const n of SIZES) await benchSize(n);
console.log(
  `\ntotal ${fmt((performance.now() - started) / 1000, 0)} s; load ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
);
