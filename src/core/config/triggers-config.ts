import { z } from 'zod';
import { DurationSchema } from '../duration.js';

/**
 * Durable jobs (`jobs:`): asynchronous runs delivered by pg-boss on the app database. Limits are
 * enforced by every worker: `concurrency` per process, `per_skill` across all replicas.
 */
export const JobsConfigSchema = z
  .object({
    /** Run a job worker inside `skillgate serve` (default true). */
    worker: z.boolean().default(true),
    /** Jobs one process runs at the same time (default 8). */
    concurrency: z.number().int().min(1).max(256).default(8),
    /** Cluster-wide limit of running jobs per skill id, e.g. `{ops.deploy: 1}`. */
    per_skill: z.record(z.string(), z.number().int().min(1)).default({}),
    /** How often an idle worker looks for work (default 500 ms, the pg-boss minimum). */
    poll_interval: DurationSchema.default(500),
    /** Base delay of the exponential backoff (with jitter) between retries; whole seconds (default 1 s). */
    retry_delay: DurationSchema.default(1000),
    /** How often a worker proves it is alive (default 2 s). */
    heartbeat_interval: DurationSchema.default(2000),
    /** A worker not seen for this long is presumed dead and its running jobs are recovered (default 15 s). */
    stale_after: DurationSchema.default(15_000),
    /** On SIGTERM, how long running jobs may take to finish before they are released (default 10 s). */
    shutdown_timeout: DurationSchema.default(10_000),
  })
  .default({
    worker: true,
    concurrency: 8,
    per_skill: {},
    poll_interval: 500,
    retry_delay: 1000,
    heartbeat_interval: 2000,
    stale_after: 15_000,
    shutdown_timeout: 10_000,
  });
export type JobsConfig = z.infer<typeof JobsConfigSchema>;

/** How a webhook's payload becomes the skill input: a template, or JSON pointers into the body. */
export const WebhookTransformSchema = z
  .object({
    /** A template (`{{ body.x }}`, `{{ headers['x-y'] }}`, `{{ attachments }}`) rendered into the input. */
    template: z.unknown().optional(),
    /** Input field -> JSON pointer into the body (`/data/invoice/id`). */
    pointers: z.record(z.string(), z.string()).optional(),
  })
  .strict()
  .refine((t) => (t.template === undefined) !== (t.pointers === undefined), {
    message: 'give either template or pointers',
  });
export type WebhookTransform = z.infer<typeof WebhookTransformSchema>;

/** A webhook declared in the config (`webhooks.hooks.<id>`); CLI-added ones live in the database. */
export const WebhookConfigSchema = z.object({
  description: z.string().optional(),
  skill: z.string().min(1),
  /** The principal the runs act as (a configured principal id). */
  principal: z.string().min(1),
  /** Env name of the signing secret in the secret store (env or `$SKILLGATE_HOME/secrets/.env`). */
  secret_env: z.string().min(1),
  /** The previous secret during a rotation, valid until `previous_valid_until`. */
  previous_secret_env: z.string().min(1).optional(),
  previous_valid_until: z.coerce.date().optional(),
  transform: WebhookTransformSchema.optional(),
  /** JSON pointer of a payload field used as idempotency key when no `Idempotency-Key` header is sent. */
  idempotency_field: z.string().optional(),
  enabled: z.boolean().default(true),
});
export type WebhookConfig = z.infer<typeof WebhookConfigSchema>;

export const AttachmentsConfigSchema = z
  .object({
    /** Largest accepted file (default 10 MiB; the server body limit applies first). */
    max_bytes: z
      .number()
      .int()
      .positive()
      .default(10 * 1_048_576),
    max_files: z.number().int().min(0).default(10),
    /** Allowed MIME types; `type/*` wildcards allowed. */
    allowed_types: z
      .array(z.string())
      .default(['application/pdf', 'image/png', 'image/jpeg', 'image/gif', 'text/*', 'application/json']),
  })
  .default({
    max_bytes: 10 * 1_048_576,
    max_files: 10,
    allowed_types: ['application/pdf', 'image/png', 'image/jpeg', 'image/gif', 'text/*', 'application/json'],
  });

export const WebhooksConfigSchema = z
  .object({
    /** Accepted age of a signature timestamp, both ways (default 300 s). */
    ttl: DurationSchema.default(300_000),
    /** Largest webhook body (default 1 MiB; `server.body_limit_bytes` applies first). */
    max_body_bytes: z.number().int().positive().default(1_048_576),
    /** How long an idempotency key is remembered: duplicates within it are acknowledged and skipped (24 h). */
    idempotency_ttl: DurationSchema.default(24 * 3_600_000),
    attachments: AttachmentsConfigSchema,
    hooks: z.record(z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/), WebhookConfigSchema).default({}),
  })
  .default({
    ttl: 300_000,
    max_body_bytes: 1_048_576,
    idempotency_ttl: 24 * 3_600_000,
    attachments: {
      max_bytes: 10 * 1_048_576,
      max_files: 10,
      allowed_types: [
        'application/pdf',
        'image/png',
        'image/jpeg',
        'image/gif',
        'text/*',
        'application/json',
      ],
    },
    hooks: {},
  });
export type WebhooksConfig = z.infer<typeof WebhooksConfigSchema>;

export const SchedulesConfigSchema = z
  .object({
    /** `skillgate serve` runs due schedules itself (default true). */
    runner: z.boolean().default(true),
    /** How often the server looks for due schedules (default 1 s). */
    tick_interval: DurationSchema.default(1000),
    /** A due time older than this counts as missed (downtime) and follows the schedule's `missed` policy (30 s). */
    misfire_grace: DurationSchema.default(30_000),
  })
  .default({ runner: true, tick_interval: 1000, misfire_grace: 30_000 });
export type SchedulesConfig = z.infer<typeof SchedulesConfigSchema>;
