import type { Command } from 'commander';
import { createApp } from '../../core/app.js';
import { SkillgateError } from '../../core/errors.js';
import { serverMounts } from '../../server/server-mounts.js';
import { startHttpServer } from '../../server/start-http-server.js';
import type { CliContext } from '../cli-context.js';

interface ServeOptions {
  port?: number;
  host?: string;
}

function parsePort(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    throw new SkillgateError('request.invalid', `--port must be an integer from 0 to 65535, not "${v}".`);
  }
  return n;
}

/**
 * Waits for the first SIGINT/SIGTERM (or `stop`); while shutting down, a second signal exits at
 * once. `dispose` removes every handler installed here.
 */
function watchSignals(stop?: AbortSignal): { requested: Promise<string>; dispose: () => void } {
  let resolveRequested: (signal: string) => void = () => {};
  const requested = new Promise<string>((resolve) => {
    resolveRequested = resolve;
  });
  let shuttingDown = false;
  const onSignal = (signal: string) => {
    if (shuttingDown) process.exit(signal === 'SIGINT' ? 130 : 143);
    shuttingDown = true;
    resolveRequested(signal);
  };
  const onStop = () => onSignal('stop');
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  stop?.addEventListener('abort', onStop, { once: true });
  if (stop?.aborted) onStop();
  return {
    requested,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      stop?.removeEventListener('abort', onStop);
    },
  };
}

/** `skillgate serve`: the HTTP server until SIGINT/SIGTERM, then a graceful shutdown. */
export function registerServeCommand(program: Command, ctx: CliContext, stop?: AbortSignal): void {
  program
    .command('serve')
    .description('Start the HTTP server (/healthz, /readyz, /metrics) until SIGINT or SIGTERM')
    .option('--port <n>', 'port (default: config server.port, 7410; 0 = any free port)', parsePort)
    .option('--host <host>', 'interface (default: config server.host, 127.0.0.1)')
    .action(async (opts: ServeOptions) => {
      const config = ctx.config;
      const logger = ctx.getLogger(config.log_level);
      const signals = watchSignals(stop);
      try {
        const app = await createApp({ config, logger, watch: config.hot_reload });
        try {
          const server = await startHttpServer(app, {
            host: opts.host,
            port: opts.port,
            mounts: serverMounts(),
          });
          logger.info(
            { url: server.url, skills: app.registry.size, database: app.db.description },
            'skillgate listening',
          );
          ctx.out(
            `Skillgate listening on ${server.url} (${app.registry.size} skills, ${app.db.description})`,
          );
          const signal = await signals.requested;
          logger.info({ signal }, 'shutting down');
          await server.close();
        } finally {
          await app.close();
        }
      } finally {
        signals.dispose();
      }
      ctx.out('Skillgate stopped');
    });
}
