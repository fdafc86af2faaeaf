import type { Config } from '../../core/config/config-schema.js';
import { type WebhookTransform, WebhookTransformSchema } from '../../core/config/triggers-config.js';
import { SkillgateError } from '../../core/errors.js';
import type { Principal } from '../../core/principal.js';
import type { Db } from '../../db/db.js';
import { envName, readSecret, secretsFile, upsertEnvFile } from '../secrets/env-file.js';

export const WEBHOOK_ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/** A webhook from the config or from the database (`skillgate webhooks add`). */
export interface WebhookDefinition {
  id: string;
  tenant: string;
  skill: string;
  /** Principal id the runs act as. */
  principal: string;
  /** Env name of the signing secret in the secret store. */
  secretRef: string;
  previousSecretRef?: string;
  previousValidUntil?: Date;
  transform?: WebhookTransform;
  idempotencyField?: string;
  enabled: boolean;
  description?: string;
  origin: 'config' | 'database';
}

interface WebhookRow {
  id: string;
  tenant: string;
  skill_id: string;
  principal_id: string;
  secret_ref: string;
  previous_secret_ref: string | null;
  previous_valid_until: Date | null;
  transform: WebhookTransform | null;
  idempotency_field: string | null;
  enabled: boolean;
  description: string | null;
}

function fromRow(r: WebhookRow): WebhookDefinition {
  return {
    id: r.id,
    tenant: r.tenant,
    skill: r.skill_id,
    principal: r.principal_id,
    secretRef: r.secret_ref,
    previousSecretRef: r.previous_secret_ref ?? undefined,
    previousValidUntil: r.previous_valid_until ?? undefined,
    transform: r.transform ?? undefined,
    idempotencyField: r.idempotency_field ?? undefined,
    enabled: r.enabled,
    description: r.description ?? undefined,
    origin: 'database',
  };
}

function fromConfig(config: Config, id: string): WebhookDefinition | undefined {
  const h = config.webhooks.hooks[id];
  if (!h) return undefined;
  return {
    id,
    tenant: config.principals[h.principal]?.tenant ?? config.tenant,
    skill: h.skill,
    principal: h.principal,
    secretRef: h.secret_env,
    previousSecretRef: h.previous_secret_env,
    previousValidUntil: h.previous_valid_until,
    transform: h.transform,
    idempotencyField: h.idempotency_field,
    enabled: h.enabled,
    description: h.description,
    origin: 'config',
  };
}

/** The webhook with this id (config first), or undefined. */
export async function findWebhook(
  db: Db,
  config: Config,
  id: string,
): Promise<WebhookDefinition | undefined> {
  const fromCfg = fromConfig(config, id);
  if (fromCfg) return fromCfg;
  const r = await db.query<WebhookRow>('SELECT * FROM webhooks WHERE id = $1', [id]);
  return r.rows[0] ? fromRow(r.rows[0]) : undefined;
}

export async function listWebhooks(db: Db, config: Config, tenant: string): Promise<WebhookDefinition[]> {
  const cfg = Object.keys(config.webhooks.hooks)
    .map((id) => fromConfig(config, id)!)
    .filter((h) => h.tenant === tenant);
  const r = await db.query<WebhookRow>('SELECT * FROM webhooks WHERE tenant = $1 ORDER BY id', [tenant]);
  return [...cfg, ...r.rows.map(fromRow)];
}

/** The secrets valid at `now`: the current one, and the previous one until its grace period ends. */
export function validSecrets(home: string, hook: WebhookDefinition, now = new Date()): string[] {
  const out: string[] = [];
  const current = readSecret(home, hook.secretRef);
  if (current) out.push(current);
  if (hook.previousSecretRef && hook.previousValidUntil && hook.previousValidUntil > now) {
    const previous = readSecret(home, hook.previousSecretRef);
    if (previous) out.push(previous);
  }
  return out;
}

export interface AddWebhookOptions {
  id: string;
  skill: string;
  /** The principal the runs act as (and who created it). */
  principal: Principal;
  secret: string;
  transform?: unknown;
  idempotencyField?: string;
  description?: string;
}

/**
 * Stores a webhook. The secret goes to the secret store (`$SKILLGATE_HOME/secrets/.env`, mode 0600,
 * as `SKILLGATE_WEBHOOK_<ID>_SECRET`); the database keeps only that name, so a database dump never
 * holds a usable secret. Replicas on other hosts need the same variable in their env or secrets file.
 */
export async function addWebhook(db: Db, config: Config, o: AddWebhookOptions): Promise<WebhookDefinition> {
  if (!WEBHOOK_ID_PATTERN.test(o.id)) {
    throw new SkillgateError(
      'request.invalid',
      `Webhook ids are lower-case letters, digits, - and _ (got "${o.id}").`,
    );
  }
  if (o.secret.length < 16) {
    throw new SkillgateError('request.invalid', 'Use a webhook secret of at least 16 characters.');
  }
  const transform = o.transform === undefined ? undefined : WebhookTransformSchema.safeParse(o.transform);
  if (transform && !transform.success) {
    throw new SkillgateError('request.invalid', `Invalid --transform: ${transform.error.issues[0]?.message}`);
  }
  if (config.webhooks.hooks[o.id] || (await findWebhook(db, config, o.id))) {
    throw new SkillgateError('resource.conflict', `A webhook "${o.id}" already exists.`, { webhook: o.id });
  }
  const secretRef = envName('WEBHOOK', o.id, 'SECRET');
  upsertEnvFile(secretsFile(config.home), { [secretRef]: o.secret });
  const r = await db.query<WebhookRow>(
    `INSERT INTO webhooks (id, tenant, skill_id, principal_id, secret_ref, transform, idempotency_field, description, created_by)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$4) RETURNING *`,
    [
      o.id,
      o.principal.tenant,
      o.skill,
      o.principal.id,
      secretRef,
      transform?.data ? JSON.stringify(transform.data) : null,
      o.idempotencyField ?? null,
      o.description ?? null,
    ],
  );
  return fromRow(r.rows[0]);
}

async function ownDbWebhook(db: Db, config: Config, id: string, tenant: string): Promise<WebhookDefinition> {
  if (config.webhooks.hooks[id]) {
    throw new SkillgateError(
      'request.invalid',
      `Webhook "${id}" is declared in the config file; change it there.`,
      { webhook: id },
    );
  }
  const hook = await findWebhook(db, config, id);
  if (!hook || hook.tenant !== tenant) {
    throw new SkillgateError('webhook.not_found', `No webhook "${id}".`, { webhook: id });
  }
  return hook;
}

/** Removes a database webhook and its secrets from the secrets file. */
export async function removeWebhook(db: Db, config: Config, id: string, tenant: string): Promise<void> {
  const hook = await ownDbWebhook(db, config, id, tenant);
  await db.query('DELETE FROM webhooks WHERE id = $1', [id]);
  const drop: Record<string, undefined> = { [hook.secretRef]: undefined };
  if (hook.previousSecretRef) drop[hook.previousSecretRef] = undefined;
  upsertEnvFile(secretsFile(config.home), drop);
}

/**
 * Rotates a database webhook's secret: the new one is valid at once, the old one stays valid for
 * `graceMs` (as `..._PREVIOUS`), so senders can switch without a failed delivery.
 */
export async function rotateWebhookSecret(
  db: Db,
  config: Config,
  id: string,
  tenant: string,
  secret: string,
  graceMs: number,
  now = new Date(),
): Promise<WebhookDefinition> {
  if (secret.length < 16)
    throw new SkillgateError('request.invalid', 'Use a webhook secret of at least 16 characters.');
  const hook = await ownDbWebhook(db, config, id, tenant);
  const previousRef = envName('WEBHOOK', id, 'SECRET_PREVIOUS');
  const current = readSecret(config.home, hook.secretRef);
  upsertEnvFile(secretsFile(config.home), { [previousRef]: current, [hook.secretRef]: secret });
  const until = new Date(now.getTime() + graceMs);
  const r = await db.query<WebhookRow>(
    `UPDATE webhooks SET previous_secret_ref = $2, previous_valid_until = $3, updated_at = now() WHERE id = $1 RETURNING *`,
    [id, current ? previousRef : null, current ? until : null],
  );
  return fromRow(r.rows[0]);
}
