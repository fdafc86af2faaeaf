import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { Db } from '../../../src/db/db.js';
import { NotifyBus } from '../../../src/db/notify-bus.js';
import { CallRelay } from '../../../src/mcp/http/call-relay.js';
import { RELAY_CHANNEL } from '../../../src/mcp/http/mcp-http-route.js';
import { createTestApp } from '../../helpers/test-app.js';
import { type McpHttpHarness, rpcHeaders, startMcpHttp } from './http-harness.js';
import { MCP_SKILLS, mcpFixtureBuiltins } from './mcp-fixtures.js';

export type ReplicaApp = Awaited<ReturnType<typeof createTestApp>> & {
  fx: ReturnType<typeof mcpFixtureBuiltins>;
};

export interface Replica {
  app: ReplicaApp;
  h: McpHttpHarness;
}

export interface ReplicaPair {
  /** Runs the calls; its relay is built here and awaited, so it listens before the tests post. */
  a: Replica & { relay: CallRelay };
  /** Receives the client's answers and cancellations; its relay is the mount's default one. */
  b: Replica;
  close(): Promise<void>;
}

/** The same adapter, but `close` does nothing: the apps share it, the test closes it once. */
function unclosable(db: Db): Db {
  return Object.create(db, {
    close: { value: async () => {} },
    listen: { value: db.listen?.bind(db) },
  }) as Db;
}

/**
 * Two complete app instances, each with its own HTTP server on 127.0.0.1, sharing ONE database, as
 * two replicas behind a load balancer without sticky sessions. The caller closes the database.
 */
export async function startReplicaPair(db: Db): Promise<ReplicaPair> {
  const fxA = mcpFixtureBuiltins();
  const fxB = mcpFixtureBuiltins();
  const appA = Object.assign(
    await createTestApp({ builtins: fxA.builtins, skillDirs: [MCP_SKILLS], db: unclosable(db) }),
    { fx: fxA },
  );
  const appB = Object.assign(
    await createTestApp({ builtins: fxB.builtins, skillDirs: [MCP_SKILLS], db: unclosable(db) }),
    { fx: fxB },
  );
  const relay = new CallRelay({ bus: new NotifyBus({ db, channel: RELAY_CHANNEL }) });
  await relay.start();
  const hA = await startMcpHttp(appA, { relay, calls: relay.registry });
  const hB = await startMcpHttp(appB);
  return {
    a: { app: appA, h: hA, relay },
    b: { app: appB, h: hB },
    async close() {
      await hB.close();
      await hA.close();
      await relay.close();
      await appB.close();
      await appA.close();
    },
  };
}

/**
 * A fetch for the SDK client that sends the client's answers to server requests, and its
 * cancellations, to another replica (`otherUrl`), everything else where the client points: what a
 * round-robin load balancer may do. `log` records what went to the other replica and its status.
 */
export function splitFetch(otherUrl: string, log: { what: string; status: number }[]): FetchLike {
  return async (url, init) => {
    let messages: JSONRPCMessage[] = [];
    if (init?.method === 'POST' && typeof init.body === 'string') {
      const body = JSON.parse(init.body) as JSONRPCMessage | JSONRPCMessage[];
      messages = Array.isArray(body) ? body : [body];
    }
    const redirect =
      messages.length > 0 &&
      messages.every((m) => !('method' in m) || m.method === 'notifications/cancelled');
    const res = await fetch(redirect ? otherUrl : url, init);
    if (redirect) {
      log.push({
        what: messages.map((m) => ('method' in m ? m.method : 'response')).join(','),
        status: res.status,
      });
    }
    return res;
  };
}

/** A JSON-RPC POST answered with an SSE stream, read one message at a time. */
export interface SseCall {
  status: number;
  next(): Promise<JSONRPCMessage>;
  abort(): void;
}

/** POSTs `body` and reads the SSE answer message by message (raw fetch, no SDK). */
export async function postSse(
  url: string,
  token: string,
  sessionId: string,
  body: unknown,
): Promise<SseCall> {
  const controller = new AbortController();
  const res = await fetch(url, {
    method: 'POST',
    headers: rpcHeaders(token, { 'mcp-session-id': sessionId }),
    body: JSON.stringify(body),
    signal: controller.signal,
  });
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  const queue: JSONRPCMessage[] = [];
  return {
    status: res.status,
    abort: () => controller.abort(),
    async next() {
      while (queue.length === 0) {
        const cut = buffer.indexOf('\n\n');
        if (cut >= 0) {
          const event = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const data = event
            .split('\n')
            .filter((l) => l.startsWith('data:'))
            .map((l) => l.slice(5).trimStart())
            .join('\n');
          if (data) queue.push(JSON.parse(data));
          continue;
        }
        const { value, done } = await reader.read();
        if (done) throw new Error('the SSE stream ended');
        buffer += value;
      }
      return queue.shift()!;
    },
  };
}

/** Initializes a session over raw HTTP and returns its id. */
export async function initSession(url: string, token: string, capabilities: Record<string, unknown>) {
  const res = await fetch(url, {
    method: 'POST',
    headers: rpcHeaders(token),
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: { protocolVersion: '2025-11-25', capabilities, clientInfo: { name: 'raw', version: '1' } },
    }),
  });
  await res.text();
  const sid = res.headers.get('mcp-session-id');
  if (!sid) throw new Error(`initialize failed: ${res.status}`);
  return sid;
}

/** p50 and p95 of a list of milliseconds, rounded to 0.01 ms. */
export function percentiles(ms: number[]): { p50: number; p95: number; n: number } {
  const s = [...ms].sort((x, y) => x - y);
  const at = (p: number) => Math.round(s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)] * 100) / 100;
  return { p50: at(0.5), p95: at(0.95), n: s.length };
}
