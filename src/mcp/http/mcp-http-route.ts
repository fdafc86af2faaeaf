import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import {
  type InitializeRequest,
  isInitializeRequest,
  isJSONRPCErrorResponse,
  isJSONRPCNotification,
  isJSONRPCRequest,
  isJSONRPCResultResponse,
  type JSONRPCMessage,
  type RequestId,
} from '@modelcontextprotocol/sdk/types.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import { type Context, Hono } from 'hono';
import { cors } from 'hono/cors';
import type { SkillgateApp } from '../../core/app.js';
import { NotifyBus } from '../../db/notify-bus.js';
import type { HttpMount } from '../../server/http-app.js';
import { createSkillgateMcpServer } from '../mcp-server.js';
import { TokenStore } from '../tokens/token-store.js';
import { bearerAuth, type McpAuthVariables } from './bearer-auth.js';
import { CallRegistry } from './call-registry.js';
import { CallRelay } from './call-relay.js';
import { listChangedStream } from './list-changed-stream.js';
import { originCheck } from './origin-check.js';
import { RequestTransport } from './request-transport.js';
import { newSessionId, type SessionInfo, sessionOf } from './session-id.js';
import { tokenRateLimit } from './token-rate-limit.js';

export interface McpHttpOptions {
  /** Where to serve (default `/mcp`). */
  path?: string;
  /** Token store (default one on the app's database). */
  tokens?: TokenStore;
  /** Per-token rate limit (default `config.mcp.rate_limit`). */
  rateLimit?: { burst: number; perSecond: number };
  /** Origins allowed for browsers and CORS (default `config.server.cors_origins`). */
  corsOrigins?: string[];
  /** Calls in flight of this replica (default a new one, or `relay.registry`). */
  calls?: CallRegistry;
  /**
   * Delivers client answers and cancellations to the replica running the call. Default: a relay on
   * the database's LISTEN/NOTIFY (`NotifyBus`, channel `RELAY_CHANNEL`) around `calls`, started with
   * the mount and closed with the HTTP app; local only when the adapter cannot listen. A relay passed
   * here is started but not closed by the mount, and its registry must be `calls` when both are given.
   */
  relay?: CallRelay;
}

/** The LISTEN/NOTIFY channel the replicas of one database relay MCP answers and cancellations on. */
export const RELAY_CHANNEL = 'skillgate_mcp_relay';

type Env = { Variables: McpAuthVariables };

function rpcError(c: Context, status: 400 | 404, code: number, message: string): Response {
  return c.json({ jsonrpc: '2.0', id: null, error: { code, message } }, status);
}

/** Request ids of a cancellation notification, if it is one. */
function cancelledId(m: JSONRPCMessage): RequestId | undefined {
  if (!isJSONRPCNotification(m) || m.method !== 'notifications/cancelled') return undefined;
  const id = (m.params as { requestId?: RequestId } | undefined)?.requestId;
  return typeof id === 'string' || typeof id === 'number' ? id : undefined;
}

/** A tools/call that may send progress or an elicitation needs a streamed (SSE) answer. */
function needsStream(messages: unknown[], session: SessionInfo | undefined): boolean {
  return messages.some(
    (m) =>
      isJSONRPCRequest(m) &&
      m.method === 'tools/call' &&
      ((m.params?._meta as { progressToken?: unknown } | undefined)?.progressToken !== undefined ||
        session?.c.elicitation !== undefined),
  );
}

/**
 * Streamable HTTP at `/mcp` (POST, GET, DELETE), stateless: every POST gets its own MCP server for
 * the token's principal, answering with plain JSON, or with an SSE stream when the call may send
 * progress or ask for an approval. The session id the server hands out at initialize encodes the
 * client's initialize parameters, so any replica can answer any request. `GET` opens a stream of
 * list-changed notifications. Guards, in order: Host (server-wide), body size (server-wide), CORS,
 * Origin (403), bearer token (401), per-token rate limit (429).
 */
export function mcpHttpMount(options: McpHttpOptions = {}): HttpMount {
  return (hono, app) => {
    const path = options.path ?? '/mcp';
    const config = app.config;
    const tokens = options.tokens ?? new TokenStore(app.db, { config });
    if (options.relay && options.calls && options.relay.registry !== options.calls) {
      throw new Error('mcpHttpMount: `relay.registry` must be `calls`');
    }
    const onError = (err: Error, what: string) => app.logger.warn({ err }, `mcp relay: ${what} failed`);
    const relay =
      options.relay ??
      new CallRelay({
        registry: options.calls ?? new CallRegistry(),
        bus: NotifyBus.supported(app.db)
          ? new NotifyBus({ db: app.db, channel: RELAY_CHANNEL, onError: (err) => onError(err, 'receive') })
          : undefined,
        onError,
      });
    void relay.start();
    const origins = options.corsOrigins ?? config.server.cors_origins;
    const limit = options.rateLimit ?? {
      burst: config.mcp.rate_limit.burst,
      perSecond: config.mcp.rate_limit.per_second,
    };
    const validator = new AjvJsonSchemaValidator();
    const r = new Hono<Env>();
    if (origins.length > 0) {
      r.use(
        path,
        cors({
          origin: origins.includes('*') ? '*' : origins,
          allowMethods: ['GET', 'POST', 'DELETE', 'OPTIONS'],
          allowHeaders: [
            'Authorization',
            'Content-Type',
            'Accept',
            'Mcp-Session-Id',
            'Mcp-Protocol-Version',
            'Last-Event-ID',
          ],
          exposeHeaders: ['Mcp-Session-Id', 'WWW-Authenticate', 'Retry-After'],
        }),
      );
    }
    r.use(path, originCheck({ allowedOrigins: origins }));
    r.use(path, bearerAuth(tokens));
    r.use(path, tokenRateLimit(limit));

    r.post(path, (c) => handlePost(c, app, relay, validator));

    r.get(path, (c) => {
      if (!(c.req.header('accept') ?? '').includes('text/event-stream')) {
        return c.json(
          {
            jsonrpc: '2.0',
            id: null,
            error: { code: -32000, message: 'Not Acceptable: GET needs Accept: text/event-stream' },
          },
          406,
        );
      }
      const sid = c.req.header('mcp-session-id');
      if (sid && !sessionOf(sid)) return rpcError(c, 404, -32001, 'Session not found');
      return listChangedStream({ registry: app.registry, signal: c.req.raw.signal });
    });

    // Stateless: there is nothing to end, but acknowledge the client's goodbye.
    r.delete(path, (c) => c.body(null, 204));

    hono.route('', r);
    return options.relay ? undefined : () => relay.close();
  };
}

async function handlePost(
  c: Context<Env>,
  app: SkillgateApp,
  relay: CallRelay,
  validator: AjvJsonSchemaValidator,
): Promise<Response> {
  const calls = relay.registry;
  const principal = c.get('mcpPrincipal');
  const owner = c.get('mcpToken').id;
  let body: unknown;
  try {
    body = JSON.parse(await c.req.text());
  } catch {
    return rpcError(c, 400, -32700, 'Parse error: the body is not valid JSON');
  }
  const messages = (Array.isArray(body) ? body : [body]) as JSONRPCMessage[];
  if (messages.length === 0) return rpcError(c, 400, -32600, 'Invalid Request: empty batch');
  const init = messages.find(isInitializeRequest) as InitializeRequest | undefined;
  const sid = init ? undefined : c.req.header('mcp-session-id');
  const session = sessionOf(sid);
  if (sid && !session) return rpcError(c, 404, -32001, 'Session not found');

  // Answers to our elicitations and cancellations belong to calls running in other HTTP requests,
  // maybe on other replicas: the relay delivers them here or publishes them to the others.
  const rest: JSONRPCMessage[] = [];
  for (const m of messages) {
    if (isJSONRPCResultResponse(m) || isJSONRPCErrorResponse(m)) {
      await relay.answer(owner, m);
      continue;
    }
    const cancelled = cancelledId(m);
    if (cancelled !== undefined) {
      await relay.cancel(CallRegistry.callKey(owner, sid, cancelled), 'cancelled by the client');
      continue;
    }
    rest.push(m);
  }
  if (rest.every((m) => isJSONRPCNotification(m))) return c.body(null, 202);

  const transport = new WebStandardStreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: !needsStream(rest, session),
  });
  const methods = rest.map((m) => ('method' in m ? String(m.method) : ''));
  const all = init !== undefined || methods.some((m) => m.startsWith('completion/'));
  const mcp = createSkillgateMcpServer({
    app,
    principal,
    trackCall: (id) => calls.track(CallRegistry.callKey(owner, sid, id)),
    logLevel: calls.logLevel(`${owner}\u0000${sid ?? ''}`),
    jsonSchemaValidator: validator,
    features: {
      resources: all || methods.some((m) => m.startsWith('resources/')),
      prompts: all || methods.some((m) => m.startsWith('prompts/')),
    },
  });
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    c.req.raw.signal.removeEventListener('abort', close);
    mcp.close().catch(() => {});
  };
  // Only a tool call can need the client's capabilities (an approval form).
  const replay = methods.includes('tools/call') ? session : undefined;
  const wrapper = new RequestTransport(transport, { registry: calls, owner, session: replay, onDone: close });
  await mcp.connect(wrapper);
  wrapper.replaySession();
  c.req.raw.signal.addEventListener('abort', close, { once: true });
  const res = await transport.handleRequest(c.req.raw, {
    parsedBody: Array.isArray(body) ? rest : rest[0],
  });
  if (!wrapper.answering) close();
  if (!init || res.status !== 200) return res;
  const headers = new Headers(res.headers);
  headers.set('mcp-session-id', newSessionId(init.params));
  return new Response(res.body, { status: res.status, headers });
}
