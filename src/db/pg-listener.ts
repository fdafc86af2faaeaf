import pg from 'pg';
import { SkillgateError } from '../core/errors.js';

export interface PgListenerOptions {
  connectionString: string;
  /** First delay before reconnecting after the connection is lost (default 100 ms, doubling up to `maxRetryMs`). */
  retryMs?: number;
  /** Longest delay between reconnection attempts (default 5000 ms). */
  maxRetryMs?: number;
  /** Called when the connection fails or is re-established (for logs); never throws. */
  onStateChange?: (state: 'lost' | 'restored', error?: Error) => void;
}

const CHANNEL = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * One dedicated node-postgres connection, outside the pool, that LISTENs on the channels its
 * subscribers asked for. A pooled client cannot listen: the pool hands it to other queries. When the
 * connection drops, it reconnects with backoff and LISTENs again on every channel; notifications sent
 * meanwhile are lost (LISTEN/NOTIFY keeps no backlog).
 */
export class PgListener {
  private readonly channels = new Map<string, Set<(payload: string) => void>>();
  private client?: pg.Client;
  private connecting?: Promise<pg.Client>;
  private retryTimer?: NodeJS.Timeout;
  private delay: number;
  private closed = false;

  constructor(private readonly options: PgListenerOptions) {
    this.delay = options.retryMs ?? 100;
  }

  /** LISTENs on `channel` (a plain lower-case identifier); resolves to the unsubscribe function. */
  async listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>> {
    if (!CHANNEL.test(channel)) {
      throw new SkillgateError('config.invalid', `Not a plain lower-case channel name: ${channel}`, {
        channel,
      });
    }
    if (this.closed)
      throw new SkillgateError('storage.unavailable', 'The notification listener is closed.', {});
    let subs = this.channels.get(channel);
    const fresh = !subs;
    if (!subs) {
      subs = new Set();
      this.channels.set(channel, subs);
    }
    subs.add(onNotify);
    if (fresh) {
      try {
        const client = await this.connect();
        await client.query(`LISTEN ${channel}`);
      } catch (err) {
        subs.delete(onNotify);
        if (subs.size === 0) this.channels.delete(channel);
        throw new SkillgateError(
          'storage.unavailable',
          `Cannot listen for notifications: ${(err as Error).message}`,
          { channel },
          { cause: err },
        );
      }
    }
    return async () => {
      const set = this.channels.get(channel);
      if (!set?.delete(onNotify) || set.size > 0) return;
      this.channels.delete(channel);
      await this.client?.query(`UNLISTEN ${channel}`).catch(() => {});
    };
  }

  /** Ends the connection and stops reconnecting. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.channels.clear();
    const client = this.client ?? (await this.connecting?.catch(() => undefined));
    this.client = undefined;
    await client?.end().catch(() => {});
  }

  private connect(): Promise<pg.Client> {
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= this.open().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async open(): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: this.options.connectionString });
    client.on('notification', (n) => {
      for (const fn of this.channels.get(n.channel) ?? []) fn(n.payload ?? '');
    });
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client));
    await client.connect();
    if (this.closed) {
      await client.end().catch(() => {});
      throw new Error('closed');
    }
    this.client = client;
    this.delay = this.options.retryMs ?? 100;
    return client;
  }

  private lost(client: pg.Client, err?: Error): void {
    if (this.client !== client) return;
    this.client = undefined;
    client.end().catch(() => {});
    if (this.closed) return;
    this.options.onStateChange?.('lost', err);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closed || this.retryTimer || this.channels.size === 0) return;
    this.retryTimer = setTimeout(async () => {
      this.retryTimer = undefined;
      try {
        const client = await this.connect();
        for (const channel of this.channels.keys()) await client.query(`LISTEN ${channel}`);
        this.options.onStateChange?.('restored');
      } catch {
        this.delay = Math.min(this.delay * 2, this.options.maxRetryMs ?? 5000);
        if (this.client) this.lost(this.client);
        else this.scheduleReconnect();
      }
    }, this.delay);
    this.retryTimer.unref();
  }
}
