import { Hono } from 'hono';
import type { SkillgateApp } from '../core/app.js';
import { loadMigrations } from '../db/migrate.js';
import { type AppMetrics, createAppMetrics } from './metrics.js';
import { bodyLimit } from './middleware/body-limit.js';
import { errorHandler, notFoundHandler } from './middleware/error-handler.js';
import { hostCheck } from './middleware/host-check.js';
import { mountHealthRoutes } from './routes/health-routes.js';

/**
 * Mounts more routes on the server (`/mcp`, `/hooks/:id`, `/slack/events`, ...). It may return a
 * disposer, called when the HTTP app is closed (sessions, receivers).
 */
export type HttpMount = (hono: Hono, app: SkillgateApp) => void | (() => void | Promise<void>);

export interface HttpAppOptions {
  /** Extra route groups, mounted after the built-in ones and behind the same middleware. */
  mounts?: HttpMount[];
  /** Metrics to expose; default a fresh per-app registry fed by the engine's events. */
  metrics?: AppMetrics;
  /** Overrides `config.server.allowed_hosts`. */
  allowedHosts?: string[];
  /** Overrides `config.server.body_limit_bytes`. */
  bodyLimitBytes?: number;
}

/** The Hono app with its metrics; `close()` disposes of the metrics listener and the mounts. */
export type SkillgateHttpApp = Hono & { metrics: AppMetrics; close(): Promise<void> };

/**
 * The HTTP surface of a Skillgate app. Every request passes the Host check (DNS-rebinding
 * protection) and the body size limit; every error is answered by one handler as
 * `{error: {code, id, message, hint}}` with the code's HTTP status. Routes: `GET /healthz`,
 * `GET /readyz`, `GET /metrics`, then the `mounts`. Tests call `request()` on it directly.
 */
export function createHttpApp(app: SkillgateApp, options: HttpAppOptions = {}): SkillgateHttpApp {
  const server = app.config.server;
  const hono = new Hono();
  const metrics = options.metrics ?? createAppMetrics(app);
  hono.onError(errorHandler({ logger: app.logger }));
  hono.notFound(notFoundHandler());
  hono.use('*', hostCheck({ allowedHosts: options.allowedHosts ?? server.allowed_hosts }));
  hono.use('*', bodyLimit({ maxBytes: options.bodyLimitBytes ?? server.body_limit_bytes }));
  mountHealthRoutes(hono, app, { migrations: loadMigrations() });
  hono.get('/metrics', async (c) => {
    const text = await metrics.render();
    return c.body(text, 200, { 'content-type': metrics.contentType });
  });
  const disposers: (() => void | Promise<void>)[] = [];
  for (const mount of options.mounts ?? []) {
    const dispose = mount(hono, app);
    if (dispose) disposers.push(dispose);
  }
  return Object.assign(hono, {
    metrics,
    async close() {
      metrics.dispose();
      for (const d of disposers.reverse()) await d();
    },
  });
}
