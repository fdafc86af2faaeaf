import type { Command } from 'commander';
import { serveStdio } from '../../mcp/stdio-server.js';
import type { CliContext } from '../cli-context.js';

/**
 * `skillgate mcp`: MCP over stdio as `config.local_principal` (or `--as`), for Claude Desktop,
 * Claude Code, VS Code and other clients that start the server themselves. Only the protocol goes to
 * stdout; logs go to stderr. Ends when the client closes stdin (or on SIGINT/SIGTERM).
 */
export function registerMcpCommand(program: Command, ctx: CliContext, stop?: AbortSignal): void {
  program
    .command('mcp')
    .description('Serve MCP over stdio (protocol on stdout, logs on stderr) as the local principal')
    .action(async () => {
      const config = ctx.config;
      ctx.getLogger(config.log_level);
      const principal = ctx.principal();
      const app = await ctx.openApp({ watch: config.hot_reload });
      const signals = new AbortController();
      const onSignal = () => signals.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      const onStop = () => signals.abort();
      stop?.addEventListener('abort', onStop, { once: true });
      try {
        await serveStdio({ app, principal, stdin: ctx.stdin, stdout: ctx.stdout, stop: signals.signal });
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        stop?.removeEventListener('abort', onStop);
      }
    });
}
