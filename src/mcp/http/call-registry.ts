import type { JSONRPCResponse, LoggingLevel, RequestId } from '@modelcontextprotocol/sdk/types.js';
import type { LogLevelStore } from '../mcp-server.js';

const MAX_LEVELS = 10_000;

/**
 * What one HTTP replica knows about calls in flight, since each HTTP request gets its own MCP
 * server: tool calls that a later `notifications/cancelled` may abort, server-to-client requests
 * (elicitation) whose answers arrive as separate POSTs, and the log level each session chose.
 * Keys include the token, so one client never reaches another's calls.
 */
export class CallRegistry {
  private readonly calls = new Map<string, AbortController>();
  private readonly awaiting = new Map<string, { owner: string; deliver: (m: JSONRPCResponse) => void }>();
  private readonly levels = new Map<string, LoggingLevel>();

  /** The key of a client request: token, session and JSON-RPC id. */
  static callKey(owner: string, session: string | undefined, id: RequestId): string {
    return `${owner}\u0000${session ?? ''}\u0000${typeof id}:${String(id)}`;
  }

  /** Registers a call; `done` must be called when it ends. */
  track(key: string): { signal: AbortSignal; done(): void } {
    const controller = new AbortController();
    this.calls.set(key, controller);
    return {
      signal: controller.signal,
      done: () => {
        if (this.calls.get(key) === controller) this.calls.delete(key);
      },
    };
  }

  /** Aborts a call in flight; false when there is none (finished, or on another replica). */
  cancel(key: string, reason?: string): boolean {
    const c = this.calls.get(key);
    if (!c) return false;
    c.abort(reason ?? 'cancelled by the client');
    this.calls.delete(key);
    return true;
  }

  /** Waits for the answer to a server-to-client request sent with id `key`; returns a disposer. */
  expect(key: string, owner: string, deliver: (m: JSONRPCResponse) => void): () => void {
    this.awaiting.set(key, { owner, deliver });
    return () => this.awaiting.delete(key);
  }

  /** Hands a client's answer to the call waiting for it; false when none waits (for this owner). */
  answer(owner: string, message: JSONRPCResponse): boolean {
    const key = String(message.id);
    const w = this.awaiting.get(key);
    if (!w || w.owner !== owner) return false;
    this.awaiting.delete(key);
    w.deliver(message);
    return true;
  }

  /** The log level store of a session. */
  logLevel(sessionKey: string): LogLevelStore {
    return {
      get: () => this.levels.get(sessionKey),
      set: (level) => {
        this.levels.delete(sessionKey);
        this.levels.set(sessionKey, level);
        if (this.levels.size > MAX_LEVELS) this.levels.delete(this.levels.keys().next().value as string);
      },
    };
  }

  /** Calls in flight (for tests and metrics). */
  get inFlight(): number {
    return this.calls.size;
  }
}
