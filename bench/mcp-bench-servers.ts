/**
 * The servers of `bench/mcp.bench.ts`: Skillgate's whole MCP server (token auth, Host/Origin checks,
 * engine with every gate, run record, audit) and a bare SDK server with one echo tool, each over
 * Streamable HTTP (127.0.0.1) and stdio. Run as `tsx bench/mcp-bench-servers.ts <kind>` it serves in a
 * child process: `stdio-ours|stdio-bare` over stdio; `http-ours|http-bare` on a free port, printing
 * `{"url", "headers"}` as one JSON line and serving until stdin closes.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAdaptorServer } from '@hono/node-server';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { Hono } from 'hono';
import { z } from 'zod';
import { createApp, type SkillgateApp } from '../src/core/app.js';
import { loadConfig } from '../src/core/config/load-config.js';
import { silentLogger } from '../src/core/logger.js';
import { resolvePrincipal } from '../src/core/principals.js';
import { PgliteDb } from '../src/db/pglite-db.js';
import { mcpHttpMount } from '../src/mcp/http/mcp-http-route.js';
import { serveStdio } from '../src/mcp/stdio-server.js';
import { TokenStore } from '../src/mcp/tokens/token-store.js';
import { startHttpServer } from '../src/server/start-http-server.js';
import { mergeBuiltins } from '../src/tools/builtins/builtin-registry.js';
import type { HandlerContext } from '../src/tools/handler.js';
import { benchWasmTier } from './bench-wasm-tier.js';

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

/** A Skillgate app on a fresh in-memory PGlite with only the no-op read skill. */
export async function openBenchApp(): Promise<SkillgateApp> {
  const dir = mkdtempSync(join(tmpdir(), 'skillgate-mcp-bench-'));
  writeFileSync(join(dir, 'noop.yaml'), SKILL);
  const { config } = loadConfig({
    env: {},
    cwd: dir,
    overrides: { home: join(dir, 'home'), log_level: 'silent', hot_reload: false },
  });
  return createApp({
    config,
    db: await PgliteDb.open({ wasmTier: benchWasmTier() }),
    skillDirs: [dir],
    builtins: mergeBuiltins({
      'bench.noop': { run: async (ctx: HandlerContext) => ({ output: { n: ctx.input.n } }) },
    }),
    seed: false,
    logger: silentLogger,
  });
}

/** The bare baseline: an SDK server with one echo tool. */
export function bareServer(): McpServer {
  const server = new McpServer({ name: 'bare', version: '1.0.0' });
  server.registerTool('echo', { inputSchema: { n: z.number() } }, async ({ n }) => ({
    content: [{ type: 'text', text: JSON.stringify({ n }) }],
  }));
  return server;
}

export interface HttpTarget {
  url: string;
  headers: Record<string, string>;
  close(): Promise<void>;
}

/** Skillgate's `/mcp` on the real HTTP server, with a bearer token (rate limit out of the way). */
export async function oursOverHttp(app: SkillgateApp): Promise<HttpTarget> {
  const tokens = new TokenStore(app.db, { config: app.config });
  const { token } = await tokens.create({
    name: `bench-${Date.now()}`,
    principal: 'local',
    createdBy: 'bench',
  });
  const server = await startHttpServer(app, {
    host: '127.0.0.1',
    port: 0,
    graceMs: 100,
    mounts: [mcpHttpMount({ tokens, rateLimit: { burst: 1e9, perSecond: 1e9 } })],
  });
  return {
    url: `${server.url}/mcp`,
    headers: { authorization: `Bearer ${token}` },
    close: () => server.close(),
  };
}

/** The bare server over the same transport: stateless, one server per request, JSON answers. */
export async function bareOverHttp(): Promise<HttpTarget> {
  const hono = new Hono();
  hono.all('/mcp', async (c) => {
    const server = bareServer();
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    });
    await server.connect(transport);
    const res = await transport.handleRequest(c.req.raw);
    await server.close();
    return res;
  });
  const http = createAdaptorServer({ fetch: hono.fetch }) as Server;
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const port = (http.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    headers: {},
    close: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
}

async function serveChild(kind: string): Promise<void> {
  if (kind.startsWith('http-')) {
    const app = kind === 'http-ours' ? await openBenchApp() : undefined;
    const target = app ? await oursOverHttp(app) : await bareOverHttp();
    process.stdout.write(`${JSON.stringify({ url: target.url, headers: target.headers })}\n`);
    process.stdin.resume();
    await new Promise((resolve) => process.stdin.once('end', resolve));
    await target.close();
    await app?.close();
    process.exit(0);
  }
  if (kind === 'stdio-bare') {
    await bareServer().connect(new StdioServerTransport());
    return;
  }
  const app = await openBenchApp();
  await serveStdio({ app, principal: resolvePrincipal(app.config, 'local') });
  await app.close();
  process.exit(0);
}

if (/^(stdio|http)-(ours|bare)$/.test(process.argv[2] ?? '')) await serveChild(process.argv[2]);
