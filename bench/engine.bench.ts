/**
 * Engine overhead: a no-op read skill through `engine.run` (every gate, run record, events, audit
 * entry) vs. calling its handler directly, interleaved in the same process, on PGlite (in memory,
 * migrated) and, when SKILLGATE_BENCH_DATABASE_URL or SKILLGATE_TEST_DATABASE_URL is set, on a fresh
 * Postgres database. Aim: overhead p50 <= 2 ms on PGlite.
 *
 *   npm run bench:engine                 # BENCH_RUNS=2000 BENCH_WARMUP=200 by default
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../src/core/app.js';
import { loadConfig } from '../src/core/config/load-config.js';
import { silentLogger } from '../src/core/logger.js';
import type { Principal } from '../src/core/principal.js';
import type { Db } from '../src/db/db.js';
import { PgDb } from '../src/db/pg-db.js';
import { PgliteDb } from '../src/db/pglite-db.js';
import { mergeBuiltins } from '../src/tools/builtins/builtin-registry.js';
import type { HandlerContext } from '../src/tools/handler.js';
import { benchWasmTier } from './bench-wasm-tier.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 2000);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 200);

const SKILL = `id: bench.noop
version: 1.0.0
title: No-op
description: Returns its input; costs nothing.
input:
  type: object
  properties:
    n: { type: integer }
  required: [n]
effects: read
risk: low
handler: { type: builtin, name: bench.noop }
`;

const builtins = mergeBuiltins({
  'bench.noop': { run: async (ctx: HandlerContext) => ({ n: ctx.input.n }) },
});

interface Stats {
  p50: number;
  p95: number;
  mean: number;
}

function stats(xs: number[]): Stats {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  return { p50: at(0.5), p95: at(0.95), mean: s.reduce((a, b) => a + b, 0) / s.length };
}

interface Row {
  backend: string;
  direct: Stats;
  engine: Stats;
  overhead: Stats;
}

async function measure(backend: string, db: Db, skillDir: string): Promise<Row> {
  const { config } = loadConfig({
    env: {},
    cwd: skillDir,
    overrides: { home: join(skillDir, 'home'), log_level: 'silent' },
  });
  const app = await createApp({
    config,
    db,
    skillDirs: [skillDir],
    builtins,
    seed: false,
    logger: silentLogger,
  });
  try {
    const principal: Principal = { id: 'local', tenant: 'default', roles: ['admin'] };
    const { skill, handler } = app.registry.require('bench.noop');
    const ctx = (n: number): HandlerContext => ({
      skill,
      input: { n },
      mode: 'execute',
      signal: new AbortController().signal,
      runId: 'run_direct',
      requestId: 'req_direct',
      principal,
      tenant: principal.tenant,
      db,
      config,
      log: silentLogger,
      secret: () => undefined,
      invoke: async () => {
        throw new Error('not in the bench');
      },
      step: () => {},
    });
    const direct: number[] = [];
    const engine: number[] = [];
    for (let i = 0; i < WARMUP + RUNS; i++) {
      let t = performance.now();
      await handler.run(ctx(i));
      const d = performance.now() - t;
      t = performance.now();
      const r = await app.engine.run({ principal, channel: 'bench', skill: 'bench.noop', input: { n: i } });
      const e = performance.now() - t;
      if (r.status !== 'succeeded') throw new Error(`run ${i} ${r.status}: ${r.error?.message}`);
      if (i >= WARMUP) {
        direct.push(d);
        engine.push(e);
      }
    }
    const overhead = engine.map((e, i) => e - direct[i]);
    return { backend, direct: stats(direct), engine: stats(engine), overhead: stats(overhead) };
  } finally {
    await app.registry.close();
  }
}

function fmt(ms: number): string {
  return ms < 0.1 ? `${(ms * 1000).toFixed(1)} µs` : `${ms.toFixed(3)} ms`;
}

function printTable(rows: Row[]): void {
  const header = [
    'backend',
    'runs',
    'direct p50',
    'direct p95',
    'engine p50',
    'engine p95',
    'overhead p50',
    'overhead p95',
    'engine runs/s',
    'engine/direct p50',
  ];
  const lines = rows.map((r) => [
    r.backend,
    String(RUNS),
    fmt(r.direct.p50),
    fmt(r.direct.p95),
    fmt(r.engine.p50),
    fmt(r.engine.p95),
    fmt(r.overhead.p50),
    fmt(r.overhead.p95),
    (1000 / r.engine.mean).toFixed(0),
    `${(r.engine.p50 / r.direct.p50).toFixed(0)}x`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const l of lines) console.log(line(l));
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'skillgate-bench-'));
  writeFileSync(join(dir, 'noop.yaml'), SKILL);
  const rows: Row[] = [];
  try {
    console.error(
      `engine bench: ${WARMUP} warm-up + ${RUNS} measured runs per backend; PGlite wasm tier ${benchWasmTier()}`,
    );
    const lite = await PgliteDb.open({ wasmTier: benchWasmTier() });
    try {
      rows.push(await measure('pglite (memory)', lite, dir));
    } finally {
      await lite.close();
    }
    const url = process.env.SKILLGATE_BENCH_DATABASE_URL || process.env.SKILLGATE_TEST_DATABASE_URL;
    if (url) {
      const name = `skillgate_bench_${process.pid}`;
      const admin = await PgDb.open({ connectionString: url, max: 1 });
      await admin.exec(`DROP DATABASE IF EXISTS ${name}`);
      await admin.exec(`CREATE DATABASE ${name}`);
      const u = new URL(url);
      u.pathname = `/${name}`;
      const pg = await PgDb.open({ connectionString: u.toString() });
      try {
        rows.push(await measure('postgres', pg, dir));
      } finally {
        await pg.close();
        await admin.exec(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await admin.close();
      }
    } else {
      console.error('postgres: skipped (set SKILLGATE_BENCH_DATABASE_URL or SKILLGATE_TEST_DATABASE_URL)');
    }
    printTable(rows);
    const lite0 = rows[0];
    console.log(
      `\naim: overhead p50 <= 2 ms on PGlite -> ${lite0.overhead.p50 <= 2 ? 'met' : 'NOT met'} (${fmt(lite0.overhead.p50)})`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
