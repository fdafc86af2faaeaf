import type { Command } from 'commander';
import { appendAudit } from '../../core/audit/audit-log.js';
import { SkillgateError } from '../../core/errors.js';
import {
  deleteSchedule,
  listSchedules,
  type ScheduleRecord,
  setScheduleEnabled,
} from '../../tools/builtins/schedules/schedule-store.js';
import { parseKeyValues } from '../../tools/parse-key-values.js';
import { drainJobs } from '../../triggers/jobs/drain-jobs.js';
import { jobQueueOf } from '../../triggers/jobs/enqueue-run.js';
import { ScheduleRunner } from '../../triggers/schedules/schedule-runner.js';
import type { CliContext } from '../cli-context.js';
import { printRunResult } from '../format/print-run-result.js';

function time(d: Date | null | undefined): string {
  return d ? new Date(d).toISOString().slice(0, 19).replace('T', ' ') : '';
}

function row(s: ScheduleRecord) {
  return {
    id: s.id,
    name: s.name ?? '',
    skill: s.skillId,
    when: s.cron ? `${s.cron} (${s.timezone})` : `once ${time(s.runAt)}`,
    next: s.enabled ? time(s.nextRunAt) : 'disabled',
    missed: s.missed,
    owner: s.owner,
    fired: s.fired,
  };
}

interface AddOptions {
  cron?: string;
  at?: string;
  tz: string;
  input?: string;
  name?: string;
  missed?: string;
  disabled?: boolean;
}

/** `skillgate schedule add|list|enable|disable|remove|tick`. */
export function registerScheduleCommands(program: Command, ctx: CliContext): void {
  const schedule = program
    .command('schedule')
    .description('Run skills on a cron expression or once at a time');

  schedule
    .command('add')
    .description('Schedule a skill (through the schedules.create skill: policy and audit apply)')
    .argument('<skill>', 'skill to run')
    .argument('[pairs...]', 'its input as key=value pairs')
    .option('--cron <expr>', "cron expression: 5 fields, or 6 with seconds first ('0 9 * * 1-5')")
    .option('--at <iso>', 'one-off run time, ISO-8601 (2026-05-01T09:00:00+02:00)')
    .option('--tz <zone>', 'IANA time zone of --cron and of --at without offset', 'UTC')
    .option('--input <json>', 'input as a JSON object')
    .option('--name <name>', 'a label')
    .option('--missed <policy>', 'after downtime: skip | catch_up_once')
    .option('--disabled', 'create it disabled')
    .action(async (skill: string, pairs: string[], opts: AddOptions) => {
      const app = await ctx.openApp({ seed: false });
      const target = app.registry.get(skill);
      let input: Record<string, unknown> = {};
      if (opts.input) {
        try {
          input = JSON.parse(opts.input) as Record<string, unknown>;
        } catch (err) {
          throw new SkillgateError('request.invalid', `--input is not valid JSON: ${(err as Error).message}`);
        }
      }
      if (pairs.length)
        input = { ...input, ...parseKeyValues(pairs, target?.spec.input ?? { type: 'object' }) };
      const result = await app.engine.run({
        principal: ctx.principal(),
        channel: 'cli',
        skill: 'schedules.create',
        input: {
          skill,
          input,
          ...(opts.cron ? { cron: opts.cron } : {}),
          ...(opts.at ? { run_at: opts.at } : {}),
          timezone: opts.tz,
          ...(opts.name ? { name: opts.name } : {}),
          ...(opts.missed ? { missed: opts.missed } : {}),
          enabled: !opts.disabled,
        },
      });
      ctx.exitCode = printRunResult(ctx, result);
    });

  schedule
    .command('list')
    .description('Schedules of this tenant with their next run')
    .action(async () => {
      const app = await ctx.openApp({ seed: false });
      const list = await listSchedules(app.db, ctx.principal().tenant);
      if (ctx.json) return ctx.printJson(list);
      if (list.length === 0) return ctx.out('no schedules');
      ctx.table(list.map(row));
    });

  for (const action of ['enable', 'disable', 'remove'] as const) {
    schedule
      .command(action)
      .description(
        action === 'remove'
          ? 'Delete a schedule'
          : action === 'enable'
            ? 'Enable a schedule (from its next fire time; missed runs are not made up)'
            : 'Disable a schedule: it never runs until enabled',
      )
      .argument('<id>', 'schedule id')
      .action(async (id: string) => {
        const app = await ctx.openApp({ seed: false });
        const principal = ctx.principal();
        const s = await app.db.tx(async (q) => {
          let out: ScheduleRecord | undefined;
          if (action === 'remove') await deleteSchedule(q, id, principal.tenant);
          else out = await setScheduleEnabled(q, id, principal.tenant, action === 'enable');
          await appendAudit(q, [
            {
              tenant: principal.tenant,
              actor: principal.id,
              action: `schedule.${action}d`,
              data: { schedule: id },
              ts: new Date(),
            },
          ]);
          return out;
        });
        if (ctx.json) return ctx.printJson(s ?? { id, removed: true });
        ctx.out(
          s
            ? `schedule ${id} ${s.enabled ? `enabled, next run ${time(s.nextRunAt)}` : 'disabled'}`
            : `schedule ${id} removed`,
        );
      });
  }

  schedule
    .command('tick')
    .description('Fire due schedules now and run their jobs (for cron on CLI-only deployments)')
    .option('--no-run', 'only queue the jobs (a running server executes them)')
    .action(async (opts: { run: boolean }) => {
      const app = await ctx.openApp({ seed: false });
      const runner = new ScheduleRunner({
        db: app.db,
        config: app.config,
        logger: app.logger,
        queue: jobQueueOf(app),
      });
      const r = await runner.tick();
      if (opts.run && r.jobIds.length) await drainJobs(app, { jobIds: r.jobIds });
      if (ctx.json) return ctx.printJson(r);
      ctx.out(`${r.fired} job(s) queued${r.skipped ? `, ${r.skipped} missed run(s) skipped` : ''}`);
      for (const id of r.jobIds) ctx.out(`  ${id}`);
    });
}
