import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse as parseQuery } from 'node:querystring';
import { WebSocket, WebSocketServer } from 'ws';
import { CallRecorder } from './recorder.js';

export const SLACK_BOT_USER = 'UBOT';

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseArgs(raw: string, contentType = ''): Record<string, unknown> {
  if (!raw) return {};
  const args: Record<string, unknown> = contentType.includes('json')
    ? (JSON.parse(raw) as Record<string, unknown>)
    : (parseQuery(raw) as Record<string, unknown>);
  for (const k of ['blocks', 'view', 'attachments']) {
    if (typeof args[k] === 'string') args[k] = JSON.parse(args[k] as string);
  }
  return args;
}

/**
 * A fake Slack: the Web API (`/api/<method>`, recording every call), response URLs
 * (`/response/<id>`) and a Socket Mode WebSocket server, all on 127.0.0.1.
 */
export class FakeSlack {
  readonly recorder = new CallRecorder();
  private server!: Server;
  private wss!: WebSocketServer;
  private socket?: WebSocket;
  private connected?: () => void;
  private ts = 1_700_000_000_000;
  private envelope = 0;
  private pendingAcks = new Map<string, (payload: unknown) => void>();
  /** Responses to inject, by method: status and Retry-After (rate limits), consumed in order. */
  readonly failures = new Map<string, { status: number; retryAfter?: number }[]>();
  /** Channels the bot is not a member of: posting there fails with `not_in_channel`. */
  readonly notIn = new Set<string>();
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.wss = new WebSocketServer({ noServer: true });
    this.server.on('upgrade', (req, sock, head) => {
      this.wss.handleUpgrade(req, sock, head, (ws) => this.onSocket(ws));
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  get apiUrl(): string {
    return `${this.url}/api/`;
  }

  responseUrl(id: string): string {
    return `${this.url}/response/${id}`;
  }

  private nextTs(): string {
    this.ts += 1;
    return `${Math.floor(this.ts / 1000)}.${String(this.ts % 1000).padStart(6, '0')}`;
  }

  private async handle(req: IncomingMessage, res: import('node:http').ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const url = req.url ?? '';
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    if (url.startsWith('/response/')) {
      this.recorder.record('response_url', {
        id: url.slice('/response/'.length),
        ...(JSON.parse(raw || '{}') as object),
      });
      return reply(200, { ok: true });
    }
    const method = url.replace(/^\/api\//, '').split('?')[0];
    const failure = this.failures.get(method)?.shift();
    if (failure) {
      this.recorder.record(`${method}!${failure.status}`, parseArgs(raw, req.headers['content-type']));
      return reply(
        failure.status,
        { ok: false, error: 'ratelimited' },
        failure.retryAfter !== undefined ? { 'retry-after': String(failure.retryAfter) } : {},
      );
    }
    const args = parseArgs(raw, req.headers['content-type']);
    const call = this.recorder.record(method, args);
    const json = (status: number, body: Record<string, unknown>) => {
      call.response = body;
      reply(status, body);
    };
    switch (method) {
      case 'auth.test':
        return json(200, {
          ok: true,
          user_id: SLACK_BOT_USER,
          bot_id: 'BBOT',
          team_id: 'T1',
          user: 'skillgate',
          team: 'Test',
        });
      case 'chat.postMessage': {
        if (this.notIn.has(String(args.channel))) return json(200, { ok: false, error: 'not_in_channel' });
        const ts = this.nextTs();
        return json(200, { ok: true, channel: args.channel, ts, message: { ts, text: args.text } });
      }
      case 'chat.update':
        return json(200, { ok: true, channel: args.channel, ts: args.ts });
      case 'chat.postEphemeral':
        return json(200, { ok: true, message_ts: this.nextTs() });
      case 'views.open':
        return json(200, { ok: true, view: { id: 'V1' } });
      case 'apps.connections.open':
        return json(200, { ok: true, url: `${this.url.replace('http', 'ws')}/socket` });
      default:
        return json(200, { ok: true });
    }
  }

  private onSocket(ws: WebSocket): void {
    this.socket = ws;
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as { envelope_id?: string; payload?: unknown };
      if (msg.envelope_id) {
        this.recorder.record('socket.ack', msg as Record<string, unknown>);
        this.pendingAcks.get(msg.envelope_id)?.(msg.payload);
        this.pendingAcks.delete(msg.envelope_id);
      }
    });
    ws.send(
      JSON.stringify({
        type: 'hello',
        num_connections: 1,
        debug_info: { host: 'fake' },
        connection_info: { app_id: 'A1' },
      }),
    );
    this.connected?.();
  }

  /** Resolves when a Socket Mode client is connected. */
  whenConnected(): Promise<void> {
    if (this.socket?.readyState === WebSocket.OPEN) return Promise.resolve();
    return new Promise((r) => {
      this.connected = r;
    });
  }

  /** Sends a Socket Mode envelope; resolves with the ack's payload. */
  sendEnvelope(
    type: 'events_api' | 'slash_commands' | 'interactive',
    payload: object,
    retry = 0,
  ): Promise<unknown> {
    const id = `env-${++this.envelope}`;
    const acked = new Promise<unknown>((r) => this.pendingAcks.set(id, r));
    this.socket!.send(
      JSON.stringify({
        envelope_id: id,
        type,
        payload,
        accepts_response_payload: type !== 'events_api',
        retry_attempt: retry,
        retry_reason: retry ? 'timeout' : '',
      }),
    );
    return acked;
  }

  async stop(): Promise<void> {
    for (const c of this.wss.clients) c.terminate();
    this.wss.close();
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

/** Signs a body like Slack does (`v0=` HMAC-SHA256 of `v0:{ts}:{body}`). */
export function slackSignature(secret: string, ts: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex')}`;
}

export interface SignedPostOptions {
  secret: string;
  /** Unix seconds; default now. */
  ts?: number;
  headers?: Record<string, string>;
  /** Break the signature. */
  tamper?: boolean;
}

/** POSTs a signed Slack request (JSON events or form-encoded commands/interactions). */
export async function postSigned(
  url: string,
  body: object | string,
  o: SignedPostOptions,
): Promise<Response> {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  const ts = o.ts ?? Math.floor(Date.now() / 1000);
  const sig = slackSignature(o.secret, ts, raw);
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': typeof body === 'string' ? 'application/x-www-form-urlencoded' : 'application/json',
      'x-slack-request-timestamp': String(ts),
      'x-slack-signature': o.tamper ? sig.replace(/.$/, (c) => (c === '0' ? '1' : '0')) : sig,
      ...o.headers,
    },
    body: raw,
  });
}

/** Form body of a slash command. */
export function slashCommandBody(o: {
  user: string;
  text: string;
  channel?: string;
  trigger?: string;
  responseUrl: string;
}): string {
  return new URLSearchParams({
    token: 'x',
    team_id: 'T1',
    channel_id: o.channel ?? 'C1',
    channel_name: 'ops',
    user_id: o.user,
    user_name: o.user.toLowerCase(),
    command: '/skillgate',
    text: o.text,
    api_app_id: 'A1',
    response_url: o.responseUrl,
    trigger_id: o.trigger ?? `trig-${Math.random().toString(36).slice(2)}`,
  }).toString();
}

let eventCounter = 0;

/** An Events API envelope with an `app_mention`. */
export function mentionEvent(o: {
  user: string;
  text: string;
  channel?: string;
  ts?: string;
  threadTs?: string;
  eventId?: string;
}) {
  const ts = o.ts ?? `1700000${String(++eventCounter).padStart(3, '0')}.000100`;
  return {
    token: 'x',
    team_id: 'T1',
    api_app_id: 'A1',
    type: 'event_callback',
    event_id: o.eventId ?? `Ev${Date.now()}${eventCounter}`,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ team_id: 'T1', user_id: SLACK_BOT_USER, is_bot: true }],
    event: {
      type: 'app_mention',
      user: o.user,
      text: `<@${SLACK_BOT_USER}> ${o.text}`,
      ts,
      channel: o.channel ?? 'C1',
      event_ts: ts,
      ...(o.threadTs ? { thread_ts: o.threadTs } : {}),
    },
  };
}

/** An Events API envelope with a plain `message` in a thread. */
export function threadMessageEvent(o: { user: string; text: string; threadTs: string; channel?: string }) {
  const ts = `1700001${String(++eventCounter).padStart(3, '0')}.000200`;
  return {
    token: 'x',
    team_id: 'T1',
    api_app_id: 'A1',
    type: 'event_callback',
    event_id: `EvM${Date.now()}${eventCounter}`,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ team_id: 'T1', user_id: SLACK_BOT_USER, is_bot: true }],
    event: {
      type: 'message',
      channel_type: 'channel',
      user: o.user,
      text: o.text,
      ts,
      channel: o.channel ?? 'C1',
      thread_ts: o.threadTs,
      event_ts: ts,
    },
  };
}

/** A `block_actions` payload for a button click (form-encoded `payload=`). */
export function buttonPayload(o: {
  user: string;
  actionId: string;
  value: string;
  channel?: string;
  messageTs: string;
  threadTs?: string;
  responseUrl?: string;
}) {
  const payload = {
    type: 'block_actions',
    team: { id: 'T1', domain: 'test' },
    user: { id: o.user, username: o.user.toLowerCase(), team_id: 'T1' },
    api_app_id: 'A1',
    token: 'x',
    trigger_id: `trig-${Math.random().toString(36).slice(2)}`,
    container: {
      type: 'message',
      message_ts: o.messageTs,
      channel_id: o.channel ?? 'C1',
      is_ephemeral: false,
    },
    channel: { id: o.channel ?? 'C1', name: 'ops' },
    message: {
      ts: o.messageTs,
      type: 'message',
      text: 'card',
      ...(o.threadTs ? { thread_ts: o.threadTs } : {}),
    },
    response_url: o.responseUrl ?? 'http://127.0.0.1:1/none',
    actions: [
      {
        type: 'button',
        action_id: o.actionId,
        block_id: 'b1',
        value: o.value,
        action_ts: `${Date.now() / 1000}${++eventCounter}`,
        text: { type: 'plain_text', text: 'x' },
      },
    ],
  };
  return { payload, form: new URLSearchParams({ payload: JSON.stringify(payload) }).toString() };
}
