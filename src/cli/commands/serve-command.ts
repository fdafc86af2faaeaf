import type { Command } from 'commander';
import { agentLoopFor } from '../../agents/app-agent-loop.js';
import { createApp, type SkillgateApp } from '../../core/app.js';
import { SkillgateError } from '../../core/errors.js';
import { checkEmbedder } from '../../memory/vector/embedder-check.js';
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

/**
 * Keeps paused agent runs moving while serving: the app's loop resumes a run as soon as its
 * approval is decided on any surface of this process (`attach`), and runs decided while no server
 * was up are resumed now (`resumePending`, in the background). `stop` detaches and waits for resumes.
 */
function resumeAgentRuns(app: SkillgateApp): { stop(): Promise<void> } {
  try {
    const loop = agentLoopFor(app);
    const detach = loop.attach();
    const pending = loop
      .resumePending()
      .then((runs) => {
        if (runs.length) app.logger.info({ agentRuns: runs.map((r) => r.id) }, 'agent runs resumed');
      })
      .catch((err) => app.logger.error({ err }, 'resuming agent runs failed'));
    return {
      async stop() {
        detach();
        await pending;
        await loop.idle();
      },
    };
  } catch (err) {
    // A misconfigured model (e.g. a missing key) must not keep the server down.
    app.logger.error({ err }, 'the agent loop is unavailable; paused agent runs will not resume');
    return { stop: async () => {} };
  }
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
          const vectors = await checkEmbedder(app.db, app.embedder);
          if (vectors.message) logger.warn({ stale: vectors.stale, reindex: 'needed' }, vectors.message);
          const server = await startHttpServer(app, {
            host: opts.host,
            port: opts.port,
            mounts: serverMounts(),
          });
          const agents = resumeAgentRuns(app);
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
          await agents.stop();
        } finally {
          await app.close();
        }
      } finally {
        signals.dispose();
      }
      ctx.out('Skillgate stopped');
    });
}
