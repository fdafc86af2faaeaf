import type { Readable, Writable } from 'node:stream';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { SkillgateApp } from '../core/app.js';
import type { Principal } from '../core/principal.js';
import { createSkillgateMcpServer } from './mcp-server.js';

export interface ServeStdioOptions {
  app: SkillgateApp;
  /** Who every call runs as (`config.local_principal` for `skillgate mcp`). */
  principal: Principal;
  /** Default `process.stdin` / `process.stdout`; nothing else may write to `stdout`. */
  stdin?: Readable;
  stdout?: Writable;
  /** Stops serving (like the end of stdin). */
  stop?: AbortSignal;
}

/**
 * Serves MCP over stdio until stdin ends, `stop` aborts or the client disconnects. The protocol is
 * the only thing written to stdout; logs go to the app's logger (stderr). Skill reloads send
 * `notifications/tools/list_changed`. Resolves when the session is over.
 */
export async function serveStdio(options: ServeStdioOptions): Promise<void> {
  const stdin = options.stdin ?? process.stdin;
  const stdout = options.stdout ?? process.stdout;
  const mcp = createSkillgateMcpServer({
    app: options.app,
    principal: options.principal,
    watchRegistry: true,
  });
  const transport = new StdioServerTransport(stdin, stdout);
  const closed = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
  });
  transport.onerror = (err) => options.app.logger.warn({ err: err.message }, 'mcp stdio: bad message');
  // `connect` keeps our onclose and calls it before its own.
  await mcp.connect(transport);
  const end = () => void mcp.close().catch(() => {});
  stdin.once('end', end);
  stdin.once('close', end);
  options.stop?.addEventListener('abort', end, { once: true });
  if (options.stop?.aborted) end();
  options.app.logger.info({ principal: options.principal.id }, 'mcp stdio session started');
  try {
    await closed;
  } finally {
    stdin.off('end', end);
    stdin.off('close', end);
    options.stop?.removeEventListener('abort', end);
  }
}
