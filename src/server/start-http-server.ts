import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import type { SkillgateApp } from '../core/app.js';
import { SkillgateError } from '../core/errors.js';
import { createHttpApp, type HttpAppOptions } from './http-app.js';

export interface StartHttpServerOptions extends HttpAppOptions {
  /** Interface to listen on (default `config.server.host`, 127.0.0.1). */
  host?: string;
  /** Port (default `config.server.port`, 7410); 0 picks a free one. */
  port?: number;
  /** How often overdue approvals are expired (default 30 000 ms). */
  expireEveryMs?: number;
  /** How long `close()` waits for open requests before cutting connections (default 5000 ms). */
  graceMs?: number;
}

export interface RunningHttpServer {
  /** `http://host:port` actually listened on. */
  url: string;
  port: number;
  /** Stops accepting, finishes open requests (up to `graceMs`), stops the timers. Does not close the app. */
  close(): Promise<void>;
}

function urlOf(host: string, port: number): string {
  const h = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return `http://${h === '0.0.0.0' ? '127.0.0.1' : h === '[::]' ? '[::1]' : h}:${port}`;
}

/**
 * Serves `createHttpApp(app)` over HTTP and, while serving, expires overdue approvals on a timer
 * (unref'd, so it never keeps the process alive). Fails with `server.listen_failed` when the address
 * is taken.
 */
export async function startHttpServer(
  app: SkillgateApp,
  options: StartHttpServerOptions = {},
): Promise<RunningHttpServer> {
  const host = options.host ?? app.config.server.host;
  const port = options.port ?? app.config.server.port;
  const httpApp = createHttpApp(app, options);
  const server = createAdaptorServer({ fetch: httpApp.fetch }) as Server;
  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      reject(
        new SkillgateError(
          'server.listen_failed',
          `Cannot listen on ${host}:${port}: ${err.code ?? err.message}.`,
          {
            host,
            port,
          },
        ),
      );
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  server.on('error', (err) => app.logger.error({ err }, 'http server error'));
  const actualPort = (server.address() as AddressInfo).port;
  let expiring: Promise<void> | undefined;
  const timer = setInterval(() => {
    if (expiring) return;
    expiring = app.engine
      .expireApprovals()
      .then((n) => {
        if (n > 0) app.logger.info({ expired: n }, 'approvals expired');
      })
      .catch((err) => app.logger.warn({ err }, 'expiring approvals failed'))
      .finally(() => {
        expiring = undefined;
      });
  }, options.expireEveryMs ?? 30_000);
  timer.unref();
  let closing: Promise<void> | undefined;
  return {
    url: urlOf(host, actualPort),
    port: actualPort,
    close() {
      closing ??= new Promise<void>((resolve) => {
        clearInterval(timer);
        const force = setTimeout(() => server.closeAllConnections(), options.graceMs ?? 5000);
        force.unref();
        server.close(() => {
          clearTimeout(force);
          Promise.resolve(expiring)
            .then(() => httpApp.close())
            .catch((err) => app.logger.warn({ err }, 'closing http mounts failed'))
            .then(() => resolve());
        });
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}
