import type { Command } from 'commander';
import { SkillgateError } from '../../core/errors.js';
import type { RunRequest } from '../../core/run-request.js';
import { parseKeyValues } from '../../tools/parse-key-values.js';
import { SKILL_ID_PATTERN } from '../../tools/skill-spec.js';
import { enqueueRun } from '../../triggers/jobs/enqueue-run.js';
import type { CliContext } from '../cli-context.js';
import { printRunResult } from '../format/print-run-result.js';
import { stepProgress } from '../progress.js';
import { closest } from '../suggest.js';

interface RunOptions {
  input?: string;
  dryRun?: boolean;
  idempotencyKey?: string;
  async?: boolean;
}

function parseInputJson(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new SkillgateError('request.invalid', `--input is not valid JSON: ${(err as Error).message}`);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new SkillgateError('request.invalid', '--input must be a JSON object.');
  }
  return value as Record<string, unknown>;
}

/** `skillgate run <skill> [k=v ...]`, or `skillgate run <words ...>` for the router. */
export function registerRunCommand(program: Command, ctx: CliContext): void {
  program
    .command('run')
    .description('Run a skill through every gate (policy, budget, approval, audit)')
    .argument('<skill>', 'skill id, or the first word of a request in natural language')
    .argument('[pairs...]', 'input as key=value pairs, coerced by the skill input schema')
    .option('--input <json>', 'input as a JSON object (key=value pairs override its fields)')
    .option('--dry-run', 'preview what would change, without side effects')
    .option('--idempotency-key <key>', 'a repeated key returns the first run instead of running again')
    .option('--async', 'queue the run as a durable job and print its id (see `skillgate jobs`)')
    .addHelpText(
      'after',
      `
Examples:
  skillgate run crm.find_customer query=acme
  skillgate run invoices.send_reminder invoice=42 --dry-run
  skillgate run crm.delete_customers --input '{"city":"Lyon"}' --as alice
  skillgate run remind ACME about invoice 42

Exit codes: 0 succeeded or dry run, 1 failed or refused, 2 usage error, 3 waiting for approval.`,
    )
    .action(async (first: string, rest: string[], opts: RunOptions) => {
      const app = await ctx.openApp();
      const principal = ctx.principal();
      const fromJson = opts.input ? parseInputJson(opts.input) : {};
      const known = app.registry.get(first);
      const looksLikeId = SKILL_ID_PATTERN.test(first) && rest.every((p) => p.includes('='));
      const req: RunRequest = {
        principal,
        channel: 'cli',
        mode: opts.dryRun ? 'dry_run' : 'execute',
        idempotencyKey: opts.idempotencyKey,
        onEvent: stepProgress(ctx),
      };
      if (known || looksLikeId) {
        req.skill = first;
        // An unknown id is refused by the engine (`skill.not_found`, recorded and audited).
        req.input = known ? { ...fromJson, ...parseKeyValues(rest, known.spec.input) } : fromJson;
      } else {
        req.query = [first, ...rest].join(' ');
        req.input = fromJson;
      }
      if (opts.async) {
        const job = await enqueueRun(app, req);
        if (ctx.json) return ctx.printJson(job);
        const what = job.duplicate ? 'already queued (same idempotency key)' : 'queued';
        return ctx.out(`job ${job.jobId} ${what}: skillgate jobs show ${job.jobId}`);
      }
      const abort = new AbortController();
      const onSignal = () => abort.abort();
      process.once('SIGINT', onSignal);
      req.signal = abort.signal;
      try {
        const result = await app.engine.run(req);
        if (result.error?.code === 'skill.not_found' && req.skill && !known) {
          const ids = app.registry.list({ publicOnly: true }).map((s) => s.id);
          const near = closest(req.skill, ids);
          if (near.length)
            result.error = { ...result.error, hint: `Did you mean ${near.join(', ')}? ${result.error.hint}` };
        }
        ctx.exitCode = printRunResult(ctx, result);
      } finally {
        process.off('SIGINT', onSignal);
      }
    });
}
