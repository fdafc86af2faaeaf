import type { SkillRegistry } from '../../tools/registry.js';
import { onRegistryChange } from '../registry-changes.js';

export interface ListChangedStreamOptions {
  registry: SkillRegistry;
  /** Aborted when the client goes away. */
  signal: AbortSignal;
  /** Interval of keep-alive comments (default 15 s). */
  keepAliveMs?: number;
}

const CHANGED = ['notifications/tools/list_changed', 'notifications/resources/list_changed']
  .map((method) => `event: message\ndata: ${JSON.stringify({ jsonrpc: '2.0', method })}\n\n`)
  .join('');

/**
 * The standalone SSE stream of `GET /mcp`: `notifications/tools/list_changed` (and resources) each
 * time the skills are reloaded, and keep-alive comments. It holds no session state: every replica
 * watches its own registry, so the stream can be opened on any of them.
 */
export function listChangedStream(options: ListChangedStreamOptions): Response {
  const encoder = new TextEncoder();
  let cleanup = () => {};
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      const write = (text: string) => {
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          cleanup();
        }
      };
      const onChange = () => write(CHANGED);
      const timer = setInterval(() => write(': keep-alive\n\n'), options.keepAliveMs ?? 15_000);
      timer.unref?.();
      const unsubscribe = onRegistryChange(options.registry, onChange);
      cleanup = () => {
        clearInterval(timer);
        unsubscribe();
        options.signal.removeEventListener('abort', onAbort);
      };
      const onAbort = () => {
        cleanup();
        try {
          controller.close();
        } catch {
          // already closed
        }
      };
      options.signal.addEventListener('abort', onAbort, { once: true });
      write(': skillgate notifications\n\n');
    },
    cancel() {
      cleanup();
    },
  });
  return new Response(body, {
    status: 200,
    headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' },
  });
}
