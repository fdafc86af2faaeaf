import type { Hono } from 'hono';
import type { SkillgateApp } from '../../core/app.js';
import { handleWebhook } from './handle-webhook.js';

/**
 * `POST /hooks/:id`: a signed webhook delivery. 200 `{accepted, webhook, job_id, duplicate}`;
 * errors answer through the server's one error handler with their status (400 malformed
 * signature or payload, 401 bad signature, 404 unknown webhook, 410 expired signature, 413 too
 * large, 415 attachment type).
 */
export function mountWebhookRoutes(hono: Hono, app: SkillgateApp): void {
  hono.post('/hooks/:id', async (c) => {
    const raw = new Uint8Array(await c.req.arrayBuffer());
    const accepted = await handleWebhook(app, { id: c.req.param('id'), raw, headers: c.req.raw.headers });
    return c.json(accepted, 200);
  });
}
