import { createServer, type IncomingHttpHeaders, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SkillgateApp } from '../../../src/core/app.js';
import { CallRegistry } from '../../../src/mcp/http/call-registry.js';
import { type McpHttpOptions, mcpHttpMount } from '../../../src/mcp/http/mcp-http-route.js';
import { TokenStore } from '../../../src/mcp/tokens/token-store.js';
import { startHttpServer } from '../../../src/server/start-http-server.js';

export interface McpHttpHarness {
  url: string;
  mcpUrl: string;
  tokens: TokenStore;
  calls: CallRegistry;
  /** Creates a token for a configured principal and returns it. */
  tokenFor(principal: string, name?: string): Promise<string>;
  close(): Promise<void>;
}

let counter = 0;

/** The real HTTP server (`startHttpServer`) with `/mcp` mounted, on 127.0.0.1 and a free port. */
export async function startMcpHttp(app: SkillgateApp, options: McpHttpOptions = {}): Promise<McpHttpHarness> {
  const tokens = options.tokens ?? new TokenStore(app.db, { config: app.config });
  const calls = options.calls ?? new CallRegistry();
  const server = await startHttpServer(app, {
    host: '127.0.0.1',
    port: 0,
    graceMs: 200,
    mounts: [mcpHttpMount({ ...options, tokens, calls })],
  });
  return {
    url: server.url,
    mcpUrl: `${server.url}/mcp`,
    tokens,
    calls,
    async tokenFor(principal, name) {
      const { token } = await tokens.create({
        name: name ?? `${principal}-${process.pid}-${counter++}`,
        principal,
        createdBy: 'test',
      });
      return token;
    },
    close: () => server.close(),
  };
}

/** Headers a Streamable HTTP client sends with a JSON-RPC POST. */
export function rpcHeaders(token?: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    ...(token ? { authorization: `Bearer ${token}` } : {}),
    ...extra,
  };
}

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  json<T = Record<string, unknown>>(): T;
}

/** A request with full control over headers, `Host` included (fetch does not allow setting it). */
export function rawRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'POST', headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

/**
 * A loopback proxy that adds `Authorization: Bearer <token>` to every request it forwards, keeping
 * every other header (Host and Origin included) and streaming both ways: how a client that cannot
 * send headers itself (the Inspector CLI 0.15, the conformance suite) reaches the token-protected
 * `/mcp`.
 */
export async function startAuthProxy(
  target: string,
  token: string,
): Promise<{ url: string; close(): Promise<void> }> {
  const t = new URL(target);
  const server: Server = createServer((req, res) => {
    const headers = { ...req.headers, authorization: `Bearer ${token}` };
    const upstream = request(
      { host: t.hostname, port: t.port, method: req.method, path: req.url, headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
