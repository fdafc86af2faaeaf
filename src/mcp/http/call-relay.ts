import { randomUUID } from 'node:crypto';
import type { JSONRPCResponse } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { CallRegistry } from './call-registry.js';
import { isServerRequestId } from './request-transport.js';

/**
 * The port a relay publishes through: a broadcast to every replica sharing the database, the sender
 * included (`NotifyBus` on Postgres LISTEN/NOTIFY implements it). Best effort, at most once.
 */
export interface RelayBus {
  publish(payload: string): Promise<void>;
  subscribe(onPayload: (payload: string) => void): Promise<() => Promise<void>>;
}

/** What travels between replicas: a client's answer to a server-to-client request, or a cancellation. */
export const RelayMessageSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('answer'),
    /** The replica that received it (it skips its own messages). */
    from: z.string(),
    /** The token id the answer was authenticated with: only a call of the same token takes it. */
    owner: z.string(),
    message: z.looseObject({ jsonrpc: z.literal('2.0'), id: z.union([z.string(), z.number()]) }),
  }),
  z.object({
    kind: z.literal('cancel'),
    from: z.string(),
    /** `CallRegistry.callKey(owner, session, requestId)`: the token is part of the key. */
    key: z.string(),
    reason: z.string().max(500).optional(),
  }),
]);
export type RelayMessage = z.infer<typeof RelayMessageSchema>;

/** Where a client's answer or cancellation went. */
export type RelayOutcome = 'local' | 'relayed' | 'dropped';

export interface CallRelayOptions {
  /** The calls in flight of this replica. */
  registry?: CallRegistry;
  /** The bus shared with the other replicas; without one the relay is local only (one replica). */
  bus?: RelayBus;
  /** This replica's id (default a random UUID). */
  replicaId?: string;
  /** Called when publishing, subscribing or a received message fails (default: ignored). */
  onError?: (err: Error, what: 'publish' | 'subscribe' | 'receive') => void;
}

/**
 * Delivers a client's answer to a server-to-client request (elicitation), and its
 * `notifications/cancelled`, to the call they belong to, whichever replica runs it. The replica
 * whose HTTP request receives one first tries its own `CallRegistry`; when no call of its own waits,
 * it publishes the message on the bus, and every other replica hands it to its registry, which
 * checks the owner exactly as for a local delivery (`answer` compares the token id; the cancel key
 * contains it): one client never answers or cancels another's call. Answers that no replica could
 * own (ids not issued by `RequestTransport`) are dropped without publishing.
 */
export class CallRelay {
  readonly registry: CallRegistry;
  readonly replicaId: string;
  private started?: Promise<void>;
  private unsubscribe?: () => Promise<void>;
  private closed = false;

  constructor(private readonly options: CallRelayOptions = {}) {
    this.registry = options.registry ?? new CallRegistry();
    this.replicaId = options.replicaId ?? randomUUID();
  }

  /** Whether this relay reaches other replicas (it has a bus). */
  get shared(): boolean {
    return this.options.bus !== undefined;
  }

  /**
   * Subscribes to the bus (idempotent; the same promise every time). Never rejects: a failure is
   * reported to `onError` and the relay keeps working for calls of this replica.
   */
  start(): Promise<void> {
    this.started ??= (async () => {
      const bus = this.options.bus;
      if (!bus || this.closed) return;
      try {
        const stop = await bus.subscribe((payload) => this.receive(payload));
        if (this.closed) await stop();
        else this.unsubscribe = stop;
      } catch (err) {
        this.options.onError?.(err as Error, 'subscribe');
      }
    })();
    return this.started;
  }

  /** Delivers a client's answer (`owner` = its token id) here, or publishes it for the other replicas. */
  async answer(owner: string, message: JSONRPCResponse): Promise<RelayOutcome> {
    if (this.registry.answer(owner, message)) return 'local';
    if (!isServerRequestId(message.id)) return 'dropped';
    return this.publish({
      kind: 'answer',
      from: this.replicaId,
      owner,
      message: { ...message, id: message.id },
    });
  }

  /** Aborts the call with this key here, or publishes the cancellation for the other replicas. */
  async cancel(key: string, reason?: string): Promise<RelayOutcome> {
    if (this.registry.cancel(key, reason)) return 'local';
    return this.publish({ kind: 'cancel', from: this.replicaId, key, reason: reason?.slice(0, 500) });
  }

  /** Unsubscribes from the bus; later answers and cancellations are delivered locally only. */
  async close(): Promise<void> {
    this.closed = true;
    await this.started;
    const stop = this.unsubscribe;
    this.unsubscribe = undefined;
    await stop?.().catch((err: Error) => this.options.onError?.(err, 'subscribe'));
  }

  private async publish(m: RelayMessage): Promise<RelayOutcome> {
    const bus = this.options.bus;
    if (!bus || this.closed) return 'dropped';
    try {
      await bus.publish(JSON.stringify(m));
      return 'relayed';
    } catch (err) {
      this.options.onError?.(err as Error, 'publish');
      return 'dropped';
    }
  }

  private receive(payload: string): void {
    let m: RelayMessage;
    try {
      m = RelayMessageSchema.parse(JSON.parse(payload));
    } catch (err) {
      this.options.onError?.(err as Error, 'receive');
      return;
    }
    if (m.from === this.replicaId) return;
    if (m.kind === 'answer') this.registry.answer(m.owner, m.message as JSONRPCResponse);
    else this.registry.cancel(m.key, m.reason);
  }
}
