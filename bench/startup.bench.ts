/**
 * Cold start of the built server on an existing data directory: time from spawning
 * `node bin/skillgate.js serve` to the first `/readyz` 200, and idle RSS 5 s later, over several
 * starts. Aims: ready <= 3 s, idle RSS <= 250 MB (with the shipped skills).
 *
 *   npm run build && npm run bench:startup    # BENCH_STARTS=5 BENCH_IDLE_MS=5000 by default
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'skillgate.js');
const STARTS = Number(process.env.BENCH_STARTS ?? 5);
const IDLE_MS = Number(process.env.BENCH_IDLE_MS ?? 5000);

function env(home: string): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env, SKILLGATE_HOME: home, SKILLGATE_LOG_LEVEL: 'warn' };
  for (const k of ['DATABASE_URL', 'SKILLGATE_CONFIG', 'SKILLGATE_PORT', 'SKILLGATE_HOST']) delete e[k];
  return e;
}

function rssMb(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
    return kb / 1024;
  } catch {
    return (
      Number(
        execFileSync('ps', ['-o', 'rss=', '-p', String(pid)])
          .toString()
          .trim(),
      ) / 1024
    );
  }
}

async function untilReady(url: string, deadline: number): Promise<void> {
  for (;;) {
    try {
      const res = await fetch(`${url}/readyz`);
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    if (performance.now() > deadline) throw new Error(`${url}/readyz not ready in time`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function start(
  config: string,
  home: string,
): Promise<{ child: ChildProcess; readyMs: number; url: string }> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [BIN, '--config', config, 'serve', '--port', '0'], {
    cwd: ROOT,
    env: env(home),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stderr!.on('data', (c) => (out += c));
  const url = await new Promise<string>((res, rej) => {
    child.stdout!.on('data', (c) => {
      out += c;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) res(m[1]);
    });
    child.once('exit', (code) => rej(new Error(`serve exited with ${code}:\n${out}`)));
  });
  await untilReady(url, t0 + 30_000);
  return { child, readyMs: performance.now() - t0, url };
}

async function stop(child: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
  child.kill('SIGTERM');
  return exited;
}

async function main(): Promise<void> {
  if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) {
    console.error('building (dist/ is missing)...');
    execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  }
  const dir = mkdtempSync(join(tmpdir(), 'skillgate-startup-'));
  const home = join(dir, 'home');
  try {
    console.error('preparing a data directory with `skillgate init` (creates the embedded database)...');
    const t = performance.now();
    execFileSync(process.execPath, [BIN, '--home', home, 'init', '--path', dir], {
      cwd: ROOT,
      env: env(home),
      stdio: 'ignore',
    });
    console.error(`init took ${((performance.now() - t) / 1000).toFixed(1)} s`);
    const config = join(dir, 'skillgate.config.yaml');
    const rows: { ready: number; rss: number; exit: number | null }[] = [];
    for (let i = 0; i < STARTS; i++) {
      const { child, readyMs } = await start(config, home);
      await new Promise((r) => setTimeout(r, IDLE_MS));
      const rss = rssMb(child.pid!);
      const exit = await stop(child);
      rows.push({ ready: readyMs, rss, exit });
      console.log(
        `start ${i + 1}: ready in ${readyMs.toFixed(0)} ms, idle RSS ${rss.toFixed(0)} MB after ${IDLE_MS / 1000} s, exit ${exit}`,
      );
    }
    const ready = rows.map((r) => r.ready).sort((a, b) => a - b);
    const rss = rows.map((r) => r.rss).sort((a, b) => a - b);
    const med = (xs: number[]) => xs[Math.floor(xs.length / 2)];
    console.log(
      `\nready: median ${med(ready).toFixed(0)} ms, max ${ready.at(-1)!.toFixed(0)} ms (aim <= 3000 ms: ${ready.at(-1)! <= 3000 ? 'met' : 'NOT met'})`,
    );
    console.log(
      `idle RSS: median ${med(rss).toFixed(0)} MB, max ${rss.at(-1)!.toFixed(0)} MB (aim <= 250 MB: ${rss.at(-1)! <= 250 ? 'met' : 'NOT met'})`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
