import type { HttpMount } from '../server/http-app.js';
import { TriggerService, type TriggerServiceOptions } from './trigger-service.js';
import { mountWebhookRoutes } from './webhooks/webhook-routes.js';

/**
 * The triggers part of `skillgate serve`: mounts `POST /hooks/:id` and runs the `TriggerService`
 * (job worker, crash recovery, schedules) for as long as the HTTP app lives. Its disposer, called
 * after the server stopped accepting requests, stops the service gracefully (running jobs get
 * `jobs.shutdown_timeout` to finish, then are released).
 */
export function triggersMount(options: TriggerServiceOptions = {}): HttpMount {
  return (hono, app) => {
    mountWebhookRoutes(hono, app);
    const service = TriggerService.start(app, options).catch((err) => {
      app.logger.error({ err }, 'triggers failed to start');
      return undefined;
    });
    return async () => {
      await (await service)?.stop();
    };
  };
}
