import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import { CallRecorder } from './recorder.js';

export const GUILD = '100000000000000001';
export const CHANNEL = '100000000000000002';
export const BOT_ID = '100000000000000003';
export const APP_ID = '100000000000000004';

let snow = 200000000000000000n;
/** A fresh snowflake id. */
export function snowflake(): string {
  snow += 1n;
  return String(snow);
}

/** A Discord user object; ids of test users are derived from a name. */
export function discordUser(id: string, username: string, bot = false) {
  return { id, username, discriminator: '0', global_name: username, avatar: null, bot };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * A fake Discord on 127.0.0.1: the REST API under `/api/v10` (recording every call as
 * `METHOD /route`) and a gateway (HELLO, heartbeat ACKs, READY + GUILD_CREATE on IDENTIFY, then
 * whatever the test dispatches).
 */
export class FakeDiscord {
  readonly recorder = new CallRecorder();
  private server!: Server;
  private wss!: WebSocketServer;
  private socket?: WebSocket;
  private seq = 0;
  private identified?: () => void;
  /** Injected failures by route prefix (`PATCH /channels`): status and retry_after seconds. */
  readonly failures = new Map<string, { status: number; retryAfter?: number }[]>();
  /** Threads the guild knows at IDENTIFY (sent in GUILD_CREATE, as after a restart). */
  readonly threads: Record<string, unknown>[] = [];
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.wss = new WebSocketServer({ noServer: true });
    this.server.on('upgrade', (req, sock, head) =>
      this.wss.handleUpgrade(req, sock, head, (ws) => this.onSocket(ws)),
    );
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  get apiUrl(): string {
    return `${this.url}/api`;
  }

  message(channelId: string, body: Record<string, unknown>, id = snowflake()) {
    return {
      id,
      channel_id: channelId,
      guild_id: GUILD,
      author: discordUser(BOT_ID, 'skillgate', true),
      content: body.content ?? '',
      embeds: body.embeds ?? [],
      components: body.components ?? [],
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      tts: false,
      mention_everyone: false,
      mentions: [],
      mention_roles: [],
      attachments: [],
      pinned: false,
      type: 0,
      flags: body.flags ?? 0,
    };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const path = decodeURIComponent((req.url ?? '').split('?')[0].replace(/^\/api\/v10/, ''));
    const route = `${req.method} ${path}`;
    const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
    const json = (status: number, data: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(data === undefined ? undefined : JSON.stringify(data));
    };
    for (const [prefix, list] of this.failures) {
      if (route.startsWith(prefix) && list.length) {
        const f = list.shift()!;
        this.recorder.record(`${route}!${f.status}`, body);
        return json(
          f.status,
          { message: 'You are being rate limited.', retry_after: f.retryAfter ?? 0, global: false },
          { 'x-ratelimit-scope': 'user', 'retry-after': String(f.retryAfter ?? 0) },
        );
      }
    }
    const call = this.recorder.record(route, body);
    const reply = (status: number, data?: Record<string, unknown>) => {
      call.response = data;
      if (status === 204) {
        res.writeHead(204);
        res.end();
      } else json(status, data);
    };
    const at = (re: RegExp) => re.exec(route);
    let m: RegExpExecArray | null = null;
    if (route === 'GET /gateway/bot') {
      return reply(200, {
        url: this.url.replace('http', 'ws'),
        shards: 1,
        session_start_limit: { total: 1000, remaining: 999, reset_after: 0, max_concurrency: 1 },
      });
    }
    if (/^PUT \/applications\/\d+(\/guilds\/\d+)?\/commands$/.test(route)) {
      return reply(200, { commands: (body as unknown as unknown[]).length });
    }
    m = at(/^POST \/channels\/(\d+)\/messages\/(\d+)\/threads$/);
    if (m) {
      const thread = {
        id: snowflake(),
        type: 11,
        guild_id: GUILD,
        parent_id: m[1],
        name: body.name,
        owner_id: BOT_ID,
        thread_metadata: {
          archived: false,
          auto_archive_duration: 1440,
          locked: false,
          archive_timestamp: new Date().toISOString(),
        },
        message_count: 0,
        member_count: 1,
      };
      return reply(201, thread);
    }
    m = at(/^POST \/channels\/(\d+)\/messages$/);
    if (m) return reply(200, this.message(m[1], body));
    m = at(/^PATCH \/channels\/(\d+)\/messages\/(\d+)$/);
    if (m) return reply(200, this.message(m[1], body, m[2]));
    if (/^POST \/interactions\/\d+\/[^/]+\/callback$/.test(route)) return reply(204);
    m = at(/^PATCH \/webhooks\/\d+\/([^/]+)\/messages\/@original$/);
    if (m) {
      return reply(
        200,
        this.message(String(this.channelOfToken.get(m[1]) ?? CHANNEL), body, this.originalIdOf(m[1])),
      );
    }
    m = at(/^POST \/webhooks\/\d+\/([^/]+)$/);
    if (m) {
      return reply(200, this.message(String(this.channelOfToken.get(m[1]) ?? CHANNEL), body));
    }
    return reply(200, {});
  }

  /** Interaction token -> its channel, and the id of its original response. */
  readonly channelOfToken = new Map<string, string>();
  private readonly originals = new Map<string, string>();
  private originalIdOf(token: string): string {
    if (!this.originals.has(token)) this.originals.set(token, snowflake());
    return this.originals.get(token)!;
  }

  private send(op: number, d: unknown, t?: string): void {
    this.socket?.send(JSON.stringify({ op, d, s: t ? ++this.seq : null, t: t ?? null }));
  }

  private onSocket(ws: WebSocket): void {
    this.socket = ws;
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as { op: number; d: unknown };
      if (msg.op === 1) this.send(11, null);
      if (msg.op === 2) {
        this.recorder.record('gateway.identify', msg.d as Record<string, unknown>);
        this.send(
          0,
          {
            v: 10,
            user: discordUser(BOT_ID, 'skillgate', true),
            guilds: [{ id: GUILD, unavailable: true }],
            session_id: 'session-1',
            resume_gateway_url: this.url.replace('http', 'ws'),
            application: { id: APP_ID, flags: 0 },
          },
          'READY',
        );
        this.send(
          0,
          {
            id: GUILD,
            name: 'Test guild',
            icon: null,
            owner_id: '1',
            unavailable: false,
            member_count: 2,
            large: false,
            features: [],
            emojis: [],
            stickers: [],
            roles: [
              {
                id: GUILD,
                name: '@everyone',
                permissions: '1071698660929',
                position: 0,
                color: 0,
                hoist: false,
                managed: false,
                mentionable: false,
                flags: 0,
              },
            ],
            channels: [
              { id: CHANNEL, type: 0, name: 'ops', position: 0, permission_overwrites: [], guild_id: GUILD },
            ],
            threads: this.threads,
            members: [
              {
                user: discordUser(BOT_ID, 'skillgate', true),
                roles: [],
                joined_at: new Date().toISOString(),
                deaf: false,
                mute: false,
                flags: 0,
              },
            ],
            voice_states: [],
            presences: [],
            joined_at: new Date().toISOString(),
          },
          'GUILD_CREATE',
        );
        this.identified?.();
      }
    });
    this.send(10, { heartbeat_interval: 41_250 });
  }

  /** Resolves once a client identified (after READY and GUILD_CREATE were sent). */
  whenIdentified(): Promise<void> {
    return new Promise((r) => {
      this.identified = r;
    });
  }

  /** Dispatches a gateway event. */
  dispatch(t: string, d: unknown): void {
    this.send(0, d, t);
  }

  async stop(): Promise<void> {
    for (const c of this.wss.clients) c.terminate();
    this.wss.close();
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

function member(user: ReturnType<typeof discordUser>) {
  return {
    user,
    roles: [],
    joined_at: new Date().toISOString(),
    deaf: false,
    mute: false,
    flags: 0,
    permissions: '1071698660929',
  };
}

function interactionBase(fake: FakeDiscord, user: ReturnType<typeof discordUser>, channelId: string) {
  const id = snowflake();
  const token = `tok-${id}`;
  fake.channelOfToken.set(token, channelId);
  return {
    id,
    application_id: APP_ID,
    token,
    version: 1,
    guild_id: GUILD,
    channel_id: channelId,
    channel: { id: channelId, type: 0, guild_id: GUILD, name: 'ops' },
    member: member(user),
    app_permissions: '1071698660929',
    locale: 'en-US',
    guild_locale: 'en-US',
    entitlements: [],
    authorizing_integration_owners: { '0': GUILD },
    context: 0,
  };
}

/** INTERACTION_CREATE of `/skillgate <sub>` with string options. */
export function commandInteraction(
  fake: FakeDiscord,
  user: ReturnType<typeof discordUser>,
  sub: string,
  options: Record<string, string> = {},
  channelId = CHANNEL,
) {
  return {
    ...interactionBase(fake, user, channelId),
    type: 2,
    data: {
      id: snowflake(),
      name: 'skillgate',
      type: 1,
      options: [
        {
          type: 1,
          name: sub,
          options: Object.entries(options).map(([name, value]) => ({ type: 3, name, value })),
        },
      ],
    },
  };
}

/** INTERACTION_CREATE of an autocomplete request for `/skillgate run skill:<typed>`. */
export function autocompleteInteraction(
  fake: FakeDiscord,
  user: ReturnType<typeof discordUser>,
  typed: string,
) {
  return {
    ...interactionBase(fake, user, CHANNEL),
    type: 4,
    data: {
      id: snowflake(),
      name: 'skillgate',
      type: 1,
      options: [{ type: 1, name: 'run', options: [{ type: 3, name: 'skill', value: typed, focused: true }] }],
    },
  };
}

/** INTERACTION_CREATE of a button click on `message`. */
export function buttonInteraction(
  fake: FakeDiscord,
  user: ReturnType<typeof discordUser>,
  customId: string,
  message: { id: string; channel_id: string },
) {
  return {
    ...interactionBase(fake, user, message.channel_id),
    type: 3,
    data: { custom_id: customId, component_type: 2 },
    message: fake.message(message.channel_id, {}, message.id),
  };
}

/** MESSAGE_CREATE of a user's message (mentioning the bot when `mention`). */
export function userMessage(
  user: ReturnType<typeof discordUser>,
  content: string,
  channelId = CHANNEL,
  mention = true,
) {
  return {
    id: snowflake(),
    channel_id: channelId,
    guild_id: GUILD,
    author: user,
    member: { roles: [], joined_at: new Date().toISOString(), deaf: false, mute: false, flags: 0 },
    content: mention ? `<@${BOT_ID}> ${content}` : content,
    timestamp: new Date().toISOString(),
    edited_timestamp: null,
    tts: false,
    mention_everyone: false,
    mentions: mention ? [discordUser(BOT_ID, 'skillgate', true)] : [],
    mention_roles: [],
    attachments: [],
    embeds: [],
    pinned: false,
    type: 0,
  };
}
