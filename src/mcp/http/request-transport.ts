import { randomUUID } from 'node:crypto';
import type { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  isJSONRPCErrorResponse,
  isJSONRPCRequest,
  isJSONRPCResultResponse,
  type JSONRPCMessage,
  type MessageExtraInfo,
  type RequestId,
} from '@modelcontextprotocol/sdk/types.js';
import type { CallRegistry } from './call-registry.js';
import type { SessionInfo } from './session-id.js';

const REPLAYED_INIT_ID = 'skillgate-session-replay';
const SERVER_REQUEST_PREFIX = 'sg-';

/** Whether `id` can be the id of a server-to-client request sent by some replica (`sg-<uuid>`). */
export function isServerRequestId(id: RequestId | null | undefined): id is string {
  return typeof id === 'string' && id.startsWith(SERVER_REQUEST_PREFIX) && id.length <= 64;
}

export interface RequestTransportOptions {
  registry: CallRegistry;
  /** Who the HTTP request authenticated as (a token id). */
  owner: string;
  /** The session the request belongs to: its initialize is replayed so the server knows the client. */
  session?: SessionInfo;
  /** Called once every client request of this HTTP request has been answered. */
  onDone: () => void;
}

/**
 * The transport of one MCP server that lives for one HTTP request, around the SDK's web-standard
 * Streamable HTTP transport (stateless mode). It adds what statelessness takes away:
 * - the session's initialize parameters are replayed first (and the answer dropped), so that the
 *   server knows the client's capabilities (elicitation);
 * - server-to-client requests get globally unique ids and are registered, so that the client's
 *   answer, which arrives in another HTTP request, reaches this server;
 * - it reports when all client requests have been answered, so the server can be closed.
 */
export class RequestTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage, extra?: MessageExtraInfo) => void;
  private readonly open = new Set<RequestId>();
  private readonly disposers = new Set<() => void>();
  private done = false;

  constructor(
    private readonly inner: WebStandardStreamableHTTPServerTransport,
    private readonly options: RequestTransportOptions,
  ) {}

  /** True while client requests of this HTTP request still wait for their answer. */
  get answering(): boolean {
    return this.open.size > 0 && !this.done;
  }

  async start(): Promise<void> {
    this.inner.onmessage = (message, extra) => {
      if (isJSONRPCRequest(message)) this.open.add(message.id);
      this.onmessage?.(message, extra);
    };
    this.inner.onerror = (err) => this.onerror?.(err);
    this.inner.onclose = () => this.onclose?.();
    await this.inner.start();
  }

  /** Replays the session's initialize into the server (call after `connect`, before the request). */
  replaySession(): void {
    const s = this.options.session;
    if (!s) return;
    this.onmessage?.({
      jsonrpc: '2.0',
      id: REPLAYED_INIT_ID,
      method: 'initialize',
      params: { protocolVersion: s.v, capabilities: s.c, clientInfo: s.i },
    });
  }

  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    if ((isJSONRPCResultResponse(message) || isJSONRPCErrorResponse(message)) && message.id !== undefined) {
      if (message.id === REPLAYED_INIT_ID) return;
      this.open.delete(message.id);
      try {
        await this.inner.send(message, options);
      } finally {
        if (this.open.size === 0 && !this.done) {
          this.done = true;
          queueMicrotask(this.options.onDone);
        }
      }
      return;
    }
    if (isJSONRPCRequest(message)) {
      const key = `${SERVER_REQUEST_PREFIX}${randomUUID()}`;
      const originalId = message.id;
      const dispose = this.options.registry.expect(key, this.options.owner, (answer) => {
        this.disposers.delete(dispose);
        this.onmessage?.({ ...answer, id: originalId } as JSONRPCMessage);
      });
      this.disposers.add(dispose);
      await this.inner.send({ ...message, id: key }, options);
      return;
    }
    await this.inner.send(message, options);
  }

  async close(): Promise<void> {
    for (const d of this.disposers) d();
    this.disposers.clear();
    await this.inner.close();
  }
}
