/**
 * Durable jobs and webhooks:
 * - no-op jobs per second through the queue (pg-boss delivery + `jobs` row + engine.run with every
 *   gate and audit entry), N jobs queued first, then drained by the workers;
 * - enqueue-to-start latency p50/p95 with the workers idle and jobs arriving at 50/s;
 * - signed webhook requests per second (`POST /hooks/:id`, HMAC check, job queued) with autocannon
 *   on loopback, and its latency p50/p95/p99.
 * On PGlite (one in-process worker: PGlite is one process) and, when Postgres is reachable
 * (SKILLGATE_BENCH_DATABASE_URL, SKILLGATE_TEST_DATABASE_URL, else the local test server), on a
 * fresh database with one and two worker processes. Aim: >= 200 jobs/s on Postgres with two
 * workers; webhook acceptance p95 <= 20 ms.
 *
 *   npm run bench:jobs          # BENCH_JOBS=1000 BENCH_WEBHOOK_SECONDS=10 by default
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { createApp, type SkillgateApp } from '../src/core/app.js';
import { loadConfig } from '../src/core/config/load-config.js';
import { silentLogger } from '../src/core/logger.js';
import { PgDb } from '../src/db/pg-db.js';
import { PgliteDb } from '../src/db/pglite-db.js';
import { startHttpServer } from '../src/server/start-http-server.js';
import { mergeBuiltins } from '../src/tools/builtins/builtin-registry.js';
import { jobQueueOf } from '../src/triggers/jobs/enqueue-run.js';
import { TriggerService } from '../src/triggers/trigger-service.js';
import { signatureHeader } from '../src/triggers/webhooks/signature.js';
import { mountWebhookRoutes } from '../src/triggers/webhooks/webhook-routes.js';

const N = Number(process.env.BENCH_JOBS ?? 1000);
const WEBHOOK_SECONDS = Number(process.env.BENCH_WEBHOOK_SECONDS ?? 10);
const SECRET = 'bench-webhook-secret-0123456789';
const PRINCIPAL = { id: 'local', tenant: 'default', roles: ['admin'] };

const SKILL = `id: bench.noop
version: 1.0.0
title: No-op
description: Does nothing.
input: { type: object, properties: { n: { type: integer } } }
effects: write
risk: low
handler: { type: builtin, name: bench.noop }
`;

function skillsDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'skillgate-bench-skills-'));
  writeFileSync(join(dir, 'noop.yaml'), SKILL);
  return dir;
}

async function openApp(home: string, dbUrl: string | undefined, skills: string): Promise<SkillgateApp> {
  process.env.SKILLGATE_BENCH_HOOK_SECRET = SECRET;
  const { config } = loadConfig({
    env: {},
    cwd: home,
    overrides: {
      home,
      log_level: 'silent',
      database_url: dbUrl,
      jobs: { concurrency: 16, poll_interval: 100 },
      webhooks: {
        hooks: {
          noop: { skill: 'bench.noop', principal: 'local', secret_env: 'SKILLGATE_BENCH_HOOK_SECRET' },
        },
      },
    },
  });
  const db = dbUrl
    ? await PgDb.open({ connectionString: dbUrl, max: 20 })
    : await PgliteDb.open({ dataDir: join(home, 'pgdata') });
  return createApp({
    config,
    db,
    logger: silentLogger,
    skillDirs: [skills],
    seed: false,
    builtins: mergeBuiltins({ 'bench.noop': { run: async () => ({ output: {} }) } }),
  });
}

function pct(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? Number.NaN;
}

async function countState(app: SkillgateApp, ids: string[], state: string): Promise<number> {
  const r = await app.db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM jobs WHERE id = ANY($1) AND state = $2',
    [ids, state],
  );
  return r.rows[0].n;
}

async function enqueueMany(
  app: SkillgateApp,
  n: number,
  width = 16,
): Promise<{ ids: string[]; perSecond: number }> {
  const queue = jobQueueOf(app);
  await queue.start();
  const ids: string[] = [];
  let next = 0;
  const t = performance.now();
  await Promise.all(
    Array.from({ length: width }, async () => {
      for (let i = next++; i < n; i = next++) {
        ids.push(
          (
            await queue.enqueue({
              principal: PRINCIPAL,
              channel: 'bench',
              skill: 'bench.noop',
              input: { n: i },
            })
          ).jobId,
        );
      }
    }),
  );
  return { ids, perSecond: n / ((performance.now() - t) / 1000) };
}

async function waitAll(app: SkillgateApp, ids: string[], timeoutMs = 300_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while ((await countState(app, ids, 'succeeded')) < ids.length) {
    if (Date.now() > end) throw new Error('jobs did not finish in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Jobs per second between the first attempt's start and the last one's end (DB clock). */
async function throughput(app: SkillgateApp, ids: string[]): Promise<number> {
  const r = await app.db.query<{ s: number }>(
    `SELECT extract(epoch FROM (max(a.finished_at) - min(a.started_at))) AS s
     FROM job_attempts a WHERE a.job_id = ANY($1)`,
    [ids],
  );
  return ids.length / Number(r.rows[0].s);
}

/** Enqueue-to-start latency (DB clock) of jobs arriving at `rate` per second. */
async function latency(app: SkillgateApp, n: number, rate: number): Promise<{ p50: number; p95: number }> {
  const queue = jobQueueOf(app);
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    ids.push(
      (await queue.enqueue({ principal: PRINCIPAL, channel: 'bench', skill: 'bench.noop', input: { n: i } }))
        .jobId,
    );
    await new Promise((r) => setTimeout(r, 1000 / rate));
  }
  await waitAll(app, ids);
  const r = await app.db.query<{ ms: number }>(
    `SELECT extract(epoch FROM (a.started_at - j.created_at)) * 1000 AS ms
     FROM jobs j JOIN job_attempts a ON a.job_id = j.id AND a.attempt = 1 WHERE j.id = ANY($1)`,
    [ids],
  );
  const ms = r.rows.map((x) => Number(x.ms));
  return { p50: pct(ms, 0.5), p95: pct(ms, 0.95) };
}

/** Worker processes: this script with `--worker <db url> <home> <skills>`. */
function spawnWorker(dbUrl: string, home: string, skills: string): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', import.meta.filename, '--worker', dbUrl, home, skills],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return new Promise((res, rej) => {
    child.stdout!.on('data', (d) => String(d).includes('ready') && res(child));
    child.once('exit', (c) => rej(new Error(`worker exited with ${c}`)));
  });
}

async function stopWorker(child: ChildProcess): Promise<void> {
  const done = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await done;
}

async function webhookBench(
  app: SkillgateApp,
  connections: number,
): Promise<{
  connections: number;
  rps: number;
  p50_ms: number;
  p97_5_ms: number;
  p99_ms: number;
  non2xx: number;
}> {
  const server = await startHttpServer(app, {
    host: '127.0.0.1',
    port: 0,
    mounts: [(h, a) => mountWebhookRoutes(h, a)],
  });
  const body = JSON.stringify({ n: 1 });
  const result = await autocannon({
    url: `${server.url}/hooks/noop`,
    method: 'POST',
    connections,
    duration: WEBHOOK_SECONDS,
    body,
    headers: { 'content-type': 'application/json', 'x-skillgate-signature': signatureHeader(SECRET, body) },
  });
  await server.close();
  return {
    connections,
    rps: result.requests.average,
    p50_ms: result.latency.p50,
    p97_5_ms: result.latency.p97_5,
    p99_ms: result.latency.p99,
    non2xx: result.non2xx,
  };
}

interface Row {
  backend: string;
  workers: string;
  enqueue: string;
  jobs: string;
  latency: string;
}

async function pglite(rows: Row[], hooks: Record<string, unknown>[]): Promise<void> {
  const home = mkdtempSync(join(tmpdir(), 'skillgate-bench-'));
  const skills = skillsDir();
  const app = await openApp(home, undefined, skills);
  try {
    const { perSecond } = await enqueueMany(app, 200);
    const service = await TriggerService.start(app, { schedules: false });
    const { ids } = await enqueueMany(app, N);
    await waitAll(app, ids);
    const jobsPerSecond = await throughput(app, ids);
    const lat = await latency(app, 200, 50);
    await service.stop();
    rows.push({
      backend: 'pglite',
      workers: '1 (in-process, 16 at once)',
      enqueue: `${perSecond.toFixed(0)}/s`,
      jobs: `${jobsPerSecond.toFixed(0)}/s`,
      latency: `p50 ${lat.p50.toFixed(1)} ms, p95 ${lat.p95.toFixed(1)} ms`,
    });
    for (const c of [1, 10]) hooks.push({ backend: 'pglite', ...(await webhookBench(app, c)) });
  } finally {
    await app.close();
    rmSync(home, { recursive: true, force: true });
    rmSync(skills, { recursive: true, force: true });
  }
}

async function postgres(base: string, rows: Row[], hooks: Record<string, unknown>[]): Promise<void> {
  const admin = await PgDb.open({ connectionString: base, max: 1 });
  const name = `skillgate_bench_jobs_${process.pid}`;
  await admin.exec(`DROP DATABASE IF EXISTS ${name}`);
  await admin.exec(`CREATE DATABASE ${name}`);
  const u = new URL(base);
  u.pathname = `/${name}`;
  const url = u.toString();
  const home = mkdtempSync(join(tmpdir(), 'skillgate-bench-'));
  const skills = skillsDir();
  const app = await openApp(home, url, skills);
  try {
    await jobQueueOf(app).start();
    const { perSecond } = await enqueueMany(app, 200);
    const warm = await spawnWorker(url, home, skills);
    await stopWorker(warm);
    for (const workers of [1, 2]) {
      const children = await Promise.all(
        Array.from({ length: workers }, () => spawnWorker(url, home, skills)),
      );
      const { ids } = await enqueueMany(app, N);
      await waitAll(app, ids);
      const jobsPerSecond = await throughput(app, ids);
      const lat = await latency(app, 200, 50);
      await Promise.all(children.map(stopWorker));
      rows.push({
        backend: 'postgres',
        workers: `${workers} process${workers > 1 ? 'es' : ''} (16 at once each)`,
        enqueue: `${perSecond.toFixed(0)}/s`,
        jobs: `${jobsPerSecond.toFixed(0)}/s`,
        latency: `p50 ${lat.p50.toFixed(1)} ms, p95 ${lat.p95.toFixed(1)} ms (enqueued by another process)`,
      });
    }
    const service = await TriggerService.start(app, { schedules: false });
    const lat = await latency(app, 200, 50);
    await service.stop();
    rows.push({
      backend: 'postgres',
      workers: '1 (in-process)',
      enqueue: '',
      jobs: '',
      latency: `p50 ${lat.p50.toFixed(1)} ms, p95 ${lat.p95.toFixed(1)} ms`,
    });
    for (const c of [1, 10]) hooks.push({ backend: 'postgres', ...(await webhookBench(app, c)) });
  } finally {
    await app.close();
    await admin.exec(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {});
    await admin.close();
    rmSync(home, { recursive: true, force: true });
    rmSync(skills, { recursive: true, force: true });
  }
}

async function worker(dbUrl: string, home: string, skills: string): Promise<void> {
  const app = await openApp(home, dbUrl, skills);
  const service = await TriggerService.start(app, { schedules: false });
  process.stdout.write('ready\n');
  await new Promise((r) => process.once('SIGTERM', r));
  await service.stop();
  await app.close();
}

async function reachable(url: string): Promise<boolean> {
  try {
    const db = await PgDb.open({ connectionString: url, max: 1 });
    await db.close();
    return true;
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  const i = process.argv.indexOf('--worker');
  if (i >= 0) return worker(process.argv[i + 1], process.argv[i + 2], process.argv[i + 3]);
  const rows: Row[] = [];
  const hooks: Record<string, unknown>[] = [];
  console.log(
    `jobs bench: ${N} no-op jobs, webhooks for ${WEBHOOK_SECONDS} s per run (autocannon, 1 and 10 connections)`,
  );
  await pglite(rows, hooks);
  const pg =
    process.env.SKILLGATE_BENCH_DATABASE_URL ??
    process.env.SKILLGATE_TEST_DATABASE_URL ??
    'postgres://skillgate:skillgate@127.0.0.1:54329/skillgate_test';
  if (await reachable(pg)) await postgres(pg, rows, hooks);
  else console.log('postgres: not reachable, skipped (set SKILLGATE_BENCH_DATABASE_URL)');
  console.table(rows);
  console.table(hooks);
}

await main();
