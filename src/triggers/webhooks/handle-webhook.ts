import type { SkillgateApp } from '../../core/app.js';
import { SkillgateError } from '../../core/errors.js';
import { resolvePrincipal } from '../../core/principals.js';
import { formatIssues } from '../../tools/json-schema-subset.js';
import { jobQueueOf } from '../jobs/enqueue-run.js';
import { type AttachmentRef, storeAttachment } from './attachments.js';
import { resolvePointer, transformPayload } from './payload-transform.js';
import { SIGNATURE_HEADER, verifySignature } from './signature.js';
import { findWebhook, validSecrets } from './webhook-store.js';

export type WebhookApp = Pick<SkillgateApp, 'db' | 'config' | 'registry' | 'logger'>;

export interface WebhookDelivery {
  id: string;
  /** The raw body, exactly as received (the signature covers these bytes). */
  raw: Uint8Array;
  headers: Headers | Record<string, string>;
  now?: Date;
}

/** The 200 answer: the job that will run, or the first one for a duplicate delivery. */
export interface WebhookAccepted {
  accepted: true;
  webhook: string;
  job_id: string;
  duplicate: boolean;
}

function lowerHeaders(h: Headers | Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  const entries = h instanceof Headers ? [...h.entries()] : Object.entries(h);
  for (const [k, v] of entries) out[k.toLowerCase()] = v;
  return out;
}

async function parseBody(
  app: WebhookApp,
  tenant: string,
  raw: Uint8Array,
  contentType: string,
): Promise<{ body: unknown; attachments: AttachmentRef[] }> {
  const type = contentType.split(';')[0].trim().toLowerCase();
  const text = () => new TextDecoder().decode(raw);
  try {
    if (raw.length === 0) return { body: {}, attachments: [] };
    if (!type || type === 'application/json' || type.endsWith('+json')) {
      return { body: JSON.parse(text()), attachments: [] };
    }
    if (type === 'application/x-www-form-urlencoded') {
      return { body: Object.fromEntries(new URLSearchParams(text())), attachments: [] };
    }
  } catch (err) {
    throw new SkillgateError(
      'webhook.payload_invalid',
      `The body is not valid ${type || 'JSON'}: ${(err as Error).message}`,
    );
  }
  if (type !== 'multipart/form-data') {
    throw new SkillgateError(
      'webhook.payload_invalid',
      `Unsupported content type ${type}; send application/json, x-www-form-urlencoded or multipart/form-data.`,
    );
  }
  let form: FormData;
  try {
    form = await new Response(raw, { headers: { 'content-type': contentType } }).formData();
  } catch (err) {
    throw new SkillgateError(
      'webhook.payload_invalid',
      `The multipart body is malformed: ${(err as Error).message}`,
    );
  }
  const limits = app.config.webhooks.attachments;
  const fields: Record<string, unknown> = {};
  const files: File[] = [];
  for (const [name, value] of form.entries()) {
    if (typeof value === 'string') fields[name] = value;
    else files.push(value as File);
  }
  if (files.length > limits.max_files) {
    throw new SkillgateError(
      'webhook.attachment_rejected',
      `At most ${limits.max_files} attachments are accepted.`,
    );
  }
  let body: unknown = fields;
  if (typeof fields.payload === 'string') {
    try {
      body = JSON.parse(fields.payload);
    } catch (err) {
      throw new SkillgateError(
        'webhook.payload_invalid',
        `The payload field is not JSON: ${(err as Error).message}`,
      );
    }
  }
  const attachments: AttachmentRef[] = [];
  for (const f of files) {
    attachments.push(
      await storeAttachment(
        app.db,
        app.config.home,
        tenant,
        { bytes: new Uint8Array(await f.arrayBuffer()), contentType: f.type, filename: f.name || undefined },
        limits,
      ),
    );
  }
  return { body, attachments };
}

/**
 * Accepts one webhook delivery (`POST /hooks/:id` and `skillgate webhook handle`): checks size,
 * signature (constant time, current and previous secret) and its age, parses the body (JSON, form,
 * or multipart with attachments stored content-addressed), applies the transform, validates the
 * skill input, then queues a durable job acting as the webhook's principal on channel `webhook`.
 * A repeated idempotency key (`Idempotency-Key` header, or the configured payload field) within
 * `webhooks.idempotency_ttl` is acknowledged with the first job id and skipped. Errors are
 * `SkillgateError`s whose HTTP status is the answer: 400, 401, 404, 410, 413, 415.
 */
export async function handleWebhook(app: WebhookApp, d: WebhookDelivery): Promise<WebhookAccepted> {
  const { config, db, logger } = app;
  const hook = await findWebhook(db, config, d.id);
  if (!hook?.enabled) {
    throw new SkillgateError('webhook.not_found', `No webhook "${d.id}".`, { webhook: d.id });
  }
  const limit = config.webhooks.max_body_bytes;
  if (d.raw.length > limit) {
    throw new SkillgateError('request.too_large', `The webhook body is larger than ${limit} bytes.`, {
      limit_bytes: limit,
    });
  }
  const headers = lowerHeaders(d.headers);
  const now = d.now ?? new Date();
  const secrets = validSecrets(config.home, hook, now);
  if (secrets.length === 0) {
    logger.error(
      { webhook: hook.id, secret: hook.secretRef },
      'webhook has no signing secret in the secret store',
    );
    throw new SkillgateError('config.invalid', `Webhook "${hook.id}" has no signing secret configured.`);
  }
  const { secretIndex } = verifySignature({
    header: headers[SIGNATURE_HEADER],
    raw: d.raw,
    secrets,
    ttlMs: config.webhooks.ttl,
    now,
  });
  const { body, attachments } = await parseBody(app, hook.tenant, d.raw, headers['content-type'] ?? '');
  const input = transformPayload(hook.transform, { body, headers, attachments, webhook: { id: hook.id } });
  const skill = app.registry.get(hook.skill);
  if (skill) {
    const parsed = skill.inputSchema.safeParse(input);
    if (!parsed.success) {
      throw new SkillgateError(
        'webhook.payload_invalid',
        `The payload does not fit ${skill.id}'s input: ${formatIssues(parsed.error)}`,
        { skill: skill.id },
      );
    }
  }
  const fromField = hook.idempotencyField ? resolvePointer(body, hook.idempotencyField) : undefined;
  const keySource =
    headers['idempotency-key'] ??
    (fromField === undefined || fromField === null ? undefined : String(fromField));
  const key = keySource?.slice(0, 200);
  const principal = resolvePrincipal(config, hook.principal);
  const queue = jobQueueOf(app);
  await queue.start();
  const result = await db.tx(async (q) => {
    if (key) {
      await q.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`skillgate.webhook:${hook.id}:${key}`]);
      const prev = await q.query<{ job_id: string }>(
        `UPDATE webhook_deliveries SET duplicates = duplicates + 1
         WHERE webhook_id = $1 AND idempotency_key = $2 AND expires_at > now() RETURNING job_id`,
        [hook.id, key],
      );
      if (prev.rows[0]) return { jobId: prev.rows[0].job_id, duplicate: true };
    }
    const job = await queue.enqueue(
      { principal, channel: 'webhook', source: 'webhook', sourceRef: hook.id, skill: hook.skill, input },
      q,
    );
    if (key) {
      await q.query(
        `INSERT INTO webhook_deliveries (webhook_id, idempotency_key, job_id, expires_at)
         VALUES ($1, $2, $3, now() + make_interval(secs => $4))
         ON CONFLICT (webhook_id, idempotency_key) DO UPDATE SET job_id = EXCLUDED.job_id,
           received_at = now(), expires_at = EXCLUDED.expires_at, duplicates = 0`,
        [hook.id, key, job.jobId, config.webhooks.idempotency_ttl / 1000],
      );
    }
    return { jobId: job.jobId, duplicate: false };
  });
  if (result.duplicate) {
    logger.info(
      { webhook: hook.id, idempotency_key: key, job: result.jobId },
      'duplicate webhook delivery skipped',
    );
  } else {
    queue.emit('enqueued', result.jobId);
    logger.info(
      {
        webhook: hook.id,
        job: result.jobId,
        bytes: d.raw.length,
        attachments: attachments.length,
        rotated: secretIndex > 0,
      },
      'webhook accepted',
    );
  }
  return { accepted: true, webhook: hook.id, job_id: result.jobId, duplicate: result.duplicate };
}
