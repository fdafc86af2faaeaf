import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { parseDuration } from '../../core/duration.js';
import { SkillgateError, toSkillgateError } from '../../core/errors.js';
import { drainJobs } from '../../triggers/jobs/drain-jobs.js';
import type { JobRecord } from '../../triggers/jobs/job-record.js';
import { getJob } from '../../triggers/jobs/job-store.js';
import { handleWebhook } from '../../triggers/webhooks/handle-webhook.js';
import { signatureHeader } from '../../triggers/webhooks/signature.js';
import {
  addWebhook,
  findWebhook,
  listWebhooks,
  removeWebhook,
  rotateWebhookSecret,
  validSecrets,
} from '../../triggers/webhooks/webhook-store.js';
import { type CliContext, EXIT } from '../cli-context.js';

function parseJson(flag: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new SkillgateError('request.invalid', `${flag} is not valid JSON: ${(err as Error).message}`);
  }
}

async function readSecretArg(ctx: CliContext, value: string): Promise<string> {
  if (value !== '-') return value;
  const chunks: Buffer[] = [];
  for await (const c of ctx.stdin) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks).toString('utf8').trim();
}

/** `skillgate webhooks add|list|remove|rotate` and `skillgate webhook handle` (delivery emulation). */
export function registerWebhooksCommands(program: Command, ctx: CliContext): void {
  const hooks = program.command('webhooks').description('Manage signed webhooks (POST /hooks/<id>)');

  hooks
    .command('add')
    .description('Add a webhook that runs a skill; its secret goes to the secret store, never the database')
    .requiredOption('--id <id>', 'webhook id (lower case, digits, - and _): the URL is /hooks/<id>')
    .requiredOption('--skill <skill>', 'skill the deliveries run')
    .requiredOption('--secret <secret>', 'signing secret, at least 16 characters (- reads it from stdin)')
    .option(
      '--transform <json>',
      'payload transform: {"template": {...}} or {"pointers": {"field": "/json/pointer"}}',
    )
    .option('--idempotency-field <pointer>', 'JSON pointer of a payload field used as idempotency key')
    .option('--description <text>', 'what the webhook is for')
    .action(
      async (opts: {
        id: string;
        skill: string;
        secret: string;
        transform?: string;
        idempotencyField?: string;
        description?: string;
      }) => {
        const app = await ctx.openApp({ seed: false });
        if (!app.registry.get(opts.skill)) {
          throw new SkillgateError('skill.not_found', `No skill "${opts.skill}" is loaded.`, {
            skill: opts.skill,
          });
        }
        const hook = await addWebhook(app.db, app.config, {
          id: opts.id,
          skill: opts.skill,
          principal: ctx.principal(),
          secret: await readSecretArg(ctx, opts.secret),
          transform: opts.transform ? parseJson('--transform', opts.transform) : undefined,
          idempotencyField: opts.idempotencyField,
          description: opts.description,
        });
        if (ctx.json) return ctx.printJson(hook);
        ctx.out(`webhook ${hook.id} -> ${hook.skill} as ${hook.principal}: POST /hooks/${hook.id}`);
        ctx.out(`secret stored in the secret store as ${hook.secretRef} (set it on every replica's host)`);
      },
    );

  hooks
    .command('list')
    .description('Webhooks of this tenant, from the config and the database')
    .action(async () => {
      const app = await ctx.openApp({ seed: false });
      const list = await listWebhooks(app.db, app.config, ctx.principal().tenant);
      if (ctx.json) return ctx.printJson(list);
      if (list.length === 0) return ctx.out('no webhooks');
      ctx.table(
        list.map((h) => ({
          id: h.id,
          skill: h.skill,
          principal: h.principal,
          origin: h.origin,
          enabled: h.enabled,
          secret: validSecrets(app.config.home, h).length > 0 ? h.secretRef : `${h.secretRef} (missing!)`,
          transform: h.transform ? Object.keys(h.transform)[0] : '',
        })),
      );
    });

  hooks
    .command('remove')
    .description('Remove a webhook added with `webhooks add`, and its secret')
    .argument('<id>', 'webhook id')
    .action(async (id: string) => {
      const app = await ctx.openApp({ seed: false });
      await removeWebhook(app.db, app.config, id, ctx.principal().tenant);
      ctx.out(`webhook ${id} removed`);
    });

  hooks
    .command('rotate')
    .description('Replace the secret; the old one stays valid for the grace period')
    .requiredOption('--id <id>', 'webhook id')
    .requiredOption('--secret <secret>', 'the new secret (- reads it from stdin)')
    .option('--grace <duration>', 'how long the old secret stays valid', '24h')
    .action(async (opts: { id: string; secret: string; grace: string }) => {
      const app = await ctx.openApp({ seed: false });
      const hook = await rotateWebhookSecret(
        app.db,
        app.config,
        opts.id,
        ctx.principal().tenant,
        await readSecretArg(ctx, opts.secret),
        parseDuration(opts.grace),
      );
      ctx.out(
        `webhook ${hook.id}: new secret active; the previous one is valid until ${hook.previousValidUntil?.toISOString() ?? 'now'}`,
      );
    });

  const webhook = program.command('webhook').description('Emulate webhook deliveries');
  webhook
    .command('handle')
    .description('Deliver a payload file to a webhook exactly as POST /hooks/<id> would')
    .requiredOption('--id <id>', 'webhook id')
    .requiredOption('--path <file>', 'payload file (the raw body)')
    .option(
      '--signature <header>',
      "X-Skillgate-Signature value 't=...,v1=...' (default: signed now with the webhook's secret)",
    )
    .option('--content-type <type>', 'Content-Type of the body', 'application/json')
    .option('--idempotency-key <key>', 'Idempotency-Key header')
    .option('--wait', 'run the job in this process and wait for it')
    .action(
      async (opts: {
        id: string;
        path: string;
        signature?: string;
        contentType: string;
        idempotencyKey?: string;
        wait?: boolean;
      }) => {
        const app = await ctx.openApp({ seed: false });
        const raw = new Uint8Array(readFileSync(resolve(ctx.cwd, opts.path)));
        let signature = opts.signature;
        if (!signature) {
          const hook = await findWebhook(app.db, app.config, opts.id);
          const secret = hook ? validSecrets(app.config.home, hook)[0] : undefined;
          if (secret) signature = signatureHeader(secret, raw);
        }
        const headers: Record<string, string> = { 'content-type': opts.contentType };
        if (signature) headers['x-skillgate-signature'] = signature;
        if (opts.idempotencyKey) headers['idempotency-key'] = opts.idempotencyKey;
        try {
          const accepted = await handleWebhook(app, { id: opts.id, raw, headers });
          let job: JobRecord | undefined;
          if (opts.wait && !accepted.duplicate) {
            await drainJobs(app, { jobIds: [accepted.job_id] });
            job = await getJob(app.db, accepted.job_id);
          }
          if (ctx.json) return ctx.printJson({ status: 200, ...accepted, ...(job ? { job } : {}) });
          ctx.out(
            `200 accepted: job ${accepted.job_id}${accepted.duplicate ? ' (duplicate delivery, skipped)' : ''}`,
          );
          if (job) ctx.out(`job ${job.id} ${job.state}${job.lastError ? `: ${job.lastError.code}` : ''}`);
          if (job && job.state !== 'succeeded')
            ctx.exitCode = job.state === 'waiting_approval' ? EXIT.pending : EXIT.failed;
        } catch (err) {
          const e = toSkillgateError(err);
          if (ctx.json) ctx.printJson({ status: e.httpStatus, error: e.toJSON() });
          else ctx.out(`${e.httpStatus} ${e.code}`);
          throw e;
        }
      },
    );
}
