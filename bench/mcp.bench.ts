/**
 * MCP overhead: `tools/call` of a no-op read skill through Skillgate's whole MCP server (bearer
 * token, Host/Origin checks, engine with every gate, run record, audit entry on PGlite) vs a bare SDK
 * server with an echo tool, over the same transport, with the SDK client, in the same run:
 * p50/p95 of sequential calls (interleaved, so both see the same noise) and throughput with 16
 * concurrent calls, over Streamable HTTP (127.0.0.1) and stdio; every server runs in a child process
 * of its own, so client and server never share a thread.
 * Aim: our p50 <= 1.5x the bare server over HTTP, and the same ratio for throughput.
 *
 *   npm run bench:mcp                # BENCH_RUNS=500 BENCH_WARMUP=50 BENCH_CONCURRENT_CALLS=800
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { benchWasmTier } from './bench-wasm-tier.js';

const SERVERS = join(import.meta.dirname, 'mcp-bench-servers.ts');

const RUNS = Number(process.env.BENCH_RUNS ?? 500);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 50);
const CONCURRENT_CALLS = Number(process.env.BENCH_CONCURRENT_CALLS ?? 800);
const CONCURRENCY = 16;

interface Target {
  name: string;
  client: Client;
  call(n: number): Promise<unknown>;
}

interface Result {
  transport: string;
  server: string;
  p50: number;
  p95: number;
  perSecond: number;
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

function target(name: string, client: Client, tool: string): Target {
  return {
    name,
    client,
    async call(n) {
      const r = await client.callTool({ name: tool, arguments: { n } });
      if (r.isError) throw new Error(`${name}: ${JSON.stringify(r.content)}`);
      return r;
    },
  };
}

async function httpClient(url: string, headers: Record<string, string>): Promise<Client> {
  const client = new Client({ name: 'bench', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
  return client;
}

/** Starts an HTTP server child (`http-ours` / `http-bare`) and reads its URL and headers. */
async function httpChild(kind: 'http-ours' | 'http-bare') {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', SERVERS, kind], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`${kind} exited with ${code}`)));
  });
  const { url, headers } = JSON.parse(line) as { url: string; headers: Record<string, string> };
  const stop = () =>
    new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.stdin!.end();
    });
  return { url, headers, stop };
}

async function stdioClient(kind: 'stdio-ours' | 'stdio-bare'): Promise<Client> {
  const client = new Client({ name: 'bench', version: '1.0.0' });
  await client.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: ['--import', 'tsx', SERVERS, kind],
      stderr: 'inherit',
    }),
  );
  return client;
}

/** Sequential calls, alternating between the targets call by call. */
async function sequential(targets: Target[]): Promise<Map<string, number[]>> {
  const times = new Map(targets.map((t) => [t.name, [] as number[]]));
  for (let i = 0; i < WARMUP + RUNS; i++) {
    for (const t of targets) {
      const start = performance.now();
      await t.call(i);
      if (i >= WARMUP) times.get(t.name)!.push(performance.now() - start);
    }
  }
  return times;
}

/** Calls per second with CONCURRENCY calls in flight, best of two rounds (alternating targets). */
async function throughput(targets: Target[]): Promise<Map<string, number>> {
  const best = new Map(targets.map((t) => [t.name, 0]));
  for (let round = 0; round < 2; round++) {
    for (const t of targets) {
      let next = 0;
      const start = performance.now();
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < CONCURRENT_CALLS) await t.call(next++);
        }),
      );
      const rate = CONCURRENT_CALLS / ((performance.now() - start) / 1000);
      best.set(t.name, Math.max(best.get(t.name)!, rate));
    }
  }
  return best;
}

async function measure(transport: string, ours: Target, bare: Target): Promise<Result[]> {
  console.error(
    `${transport}: ${WARMUP} + ${RUNS} sequential calls each, then ${CONCURRENT_CALLS} with ${CONCURRENCY} in flight`,
  );
  const seq = await sequential([ours, bare]);
  const tput = await throughput([ours, bare]);
  return [ours, bare].map((t) => ({
    transport,
    server: t.name,
    p50: quantile(seq.get(t.name)!, 0.5),
    p95: quantile(seq.get(t.name)!, 0.95),
    perSecond: tput.get(t.name)!,
  }));
}

function print(results: Result[]): void {
  const rows = results.map((r) => [
    r.transport,
    r.server,
    `${r.p50.toFixed(3)} ms`,
    `${r.p95.toFixed(3)} ms`,
    r.perSecond.toFixed(0),
  ]);
  const header = ['transport', 'server', 'p50', 'p95', `calls/s (${CONCURRENCY} in flight)`];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
  console.log(`PGlite wasm tier ${benchWasmTier()}`);
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
  console.log('');
  for (const transport of [...new Set(results.map((r) => r.transport))]) {
    const ours = results.find((r) => r.transport === transport && r.server === 'skillgate')!;
    const bare = results.find((r) => r.transport === transport && r.server === 'bare sdk')!;
    const p50 = ours.p50 / bare.p50;
    const tput = bare.perSecond / ours.perSecond;
    console.log(
      `${transport}: p50 ${p50.toFixed(2)}x bare, p95 ${(ours.p95 / bare.p95).toFixed(2)}x, throughput 1/${tput.toFixed(2)} of bare` +
        (transport === 'streamable http'
          ? `  (aim <= 1.5x: p50 ${p50 <= 1.5 ? 'met' : 'NOT met'}, throughput ${tput <= 1.5 ? 'met' : 'NOT met'})`
          : ''),
    );
  }
}

async function main(): Promise<void> {
  const results: Result[] = [];
  const [oursHttp, bareHttp] = await Promise.all([httpChild('http-ours'), httpChild('http-bare')]);
  const clients: Client[] = [];
  try {
    const a = await httpClient(oursHttp.url, oursHttp.headers);
    const b = await httpClient(bareHttp.url, bareHttp.headers);
    clients.push(a, b);
    results.push(
      ...(await measure(
        'streamable http',
        target('skillgate', a, 'bench_noop'),
        target('bare sdk', b, 'echo'),
      )),
    );
    const c = await stdioClient('stdio-ours');
    const d = await stdioClient('stdio-bare');
    clients.push(c, d);
    results.push(
      ...(await measure('stdio', target('skillgate', c, 'bench_noop'), target('bare sdk', d, 'echo'))),
    );
  } finally {
    for (const c of clients) await c.close().catch(() => {});
    await oursHttp.stop();
    await bareHttp.stop();
  }
  print(results);
}

await main();
