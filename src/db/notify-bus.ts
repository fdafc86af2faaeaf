import { randomUUID } from 'node:crypto';
import { SkillgateError } from '../core/errors.js';
import type { Db } from './db.js';

export interface NotifyBusOptions {
  /** The shared database; it must support `listen` for `subscribe` (both adapters do). */
  db: Db;
  /** The notification channel: a plain lower-case identifier. */
  channel: string;
  /**
   * Payloads up to this many UTF-8 bytes travel inside the NOTIFY (default 7900: Postgres refuses
   * payloads of 8000 bytes or more); larger ones are stored in `relay_messages` and their id is sent.
   */
  maxInlineBytes?: number;
  /** Stored messages older than this are deleted by later senders (default 10 minutes). */
  retentionMs?: number;
  /** Called when a stored message cannot be read back (default: ignored). */
  onError?: (err: Error) => void;
}

/** NOTIFY payload tags: `i` + the message itself, or `r` + the id of a stored message. */
const INLINE = 'i';
const STORED = 'r';

/**
 * A broadcast bus between the processes (replicas) sharing one database, on Postgres LISTEN/NOTIFY:
 * every subscriber on the channel, the sender's own included, receives every message published after
 * it subscribed. Delivery is best effort and at most once per subscriber: nothing is replayed to a
 * subscriber that was not listening (not yet, or while its connection was being re-established).
 * Messages of any size: large ones go through the `relay_messages` table (migration 090).
 */
export class NotifyBus {
  private readonly maxInline: number;
  private readonly retentionMs: number;

  constructor(private readonly options: NotifyBusOptions) {
    this.maxInline = Math.min(options.maxInlineBytes ?? 7900, 7900);
    this.retentionMs = options.retentionMs ?? 10 * 60_000;
  }

  /** Whether `db` can carry a bus (its adapter implements `listen`). */
  static supported(db: Db): boolean {
    return typeof db.listen === 'function';
  }

  /** Sends `payload` to every subscriber; resolves once the notification is committed. */
  async publish(payload: string): Promise<void> {
    const { db, channel } = this.options;
    if (Buffer.byteLength(payload, 'utf8') + INLINE.length <= this.maxInline) {
      await db.query('SELECT pg_notify($1, $2)', [channel, INLINE + payload]);
      return;
    }
    const id = randomUUID();
    // The notification is delivered at commit, when the row is visible to every receiver.
    await db.tx(async (q) => {
      await q.query('INSERT INTO relay_messages (id, channel, payload) VALUES ($1, $2, $3)', [
        id,
        channel,
        payload,
      ]);
      await q.query('SELECT pg_notify($1, $2)', [channel, STORED + id]);
    });
    await db
      .query('DELETE FROM relay_messages WHERE created_at < now() - make_interval(secs => $1)', [
        this.retentionMs / 1000,
      ])
      .catch((err: Error) => this.options.onError?.(err));
  }

  /** Calls `onMessage` with every payload published from now on; resolves to the unsubscribe function. */
  async subscribe(onMessage: (payload: string) => void): Promise<() => Promise<void>> {
    const { db, channel } = this.options;
    if (!db.listen) {
      throw new SkillgateError(
        'storage.unavailable',
        `The ${db.kind} adapter cannot listen for notifications.`,
        { channel },
      );
    }
    return db.listen(channel, (raw) => {
      if (raw.startsWith(INLINE)) {
        onMessage(raw.slice(INLINE.length));
      } else if (raw.startsWith(STORED)) {
        // Not awaited: on PGlite this callback runs while its single connection is busy.
        db.query<{ payload: string }>('SELECT payload FROM relay_messages WHERE id = $1', [
          raw.slice(STORED.length),
        ])
          .then((r) => {
            if (r.rows[0]) onMessage(r.rows[0].payload);
          })
          .catch((err: Error) => this.options.onError?.(err));
      }
    });
  }
}
