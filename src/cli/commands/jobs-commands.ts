import type { Command } from 'commander';
import { SkillgateError } from '../../core/errors.js';
import { drainJobs } from '../../triggers/jobs/drain-jobs.js';
import { jobQueueOf } from '../../triggers/jobs/enqueue-run.js';
import { cancelJob, retryJob, showJob } from '../../triggers/jobs/job-actions.js';
import { type JobRecord, JobStateSchema } from '../../triggers/jobs/job-record.js';
import { countJobs, listJobs } from '../../triggers/jobs/job-store.js';
import { type CliContext, EXIT } from '../cli-context.js';

function time(d: Date | null | undefined): string {
  return d ? new Date(d).toISOString().slice(0, 19).replace('T', ' ') : '';
}

export function jobRow(j: JobRecord) {
  return {
    id: j.id,
    created: time(j.createdAt),
    state: j.deadLetter ? `${j.state} (dead letter)` : j.state,
    skill: j.skillId ?? (j.query ? `"${j.query.slice(0, 30)}"` : '-'),
    source: j.sourceRef ? `${j.source}:${j.sourceRef}` : j.source,
    user: j.principal.id,
    attempts: `${j.attempts}/${j.maxAttempts}`,
    error: j.lastError?.code ?? '',
  };
}

function parseState(v: string): string {
  const r = JobStateSchema.safeParse(v);
  if (!r.success) {
    throw new SkillgateError(
      'request.invalid',
      `--state must be one of ${JobStateSchema.options.join(', ')}.`,
    );
  }
  return r.data;
}

/** `skillgate jobs list|show|retry|cancel|work`: durable asynchronous runs. */
export function registerJobsCommands(program: Command, ctx: CliContext): void {
  const jobs = program.command('jobs').description('Inspect, retry and cancel asynchronous jobs');

  jobs
    .command('list')
    .description('Most recent jobs first, with their state and attempts')
    .option(
      '--state <state>',
      'only this state (queued, running, waiting_approval, succeeded, failed, interrupted, cancelled)',
      parseState,
    )
    .option('--source <source>', 'only jobs from this source (cli, webhook, schedule, ...)')
    .option('--skill <id>', 'only this skill')
    .option('--dead-letter', 'only jobs that failed for good (the dead-letter list)')
    .option('--limit <n>', 'at most N jobs', (v) => Number.parseInt(v, 10), 50)
    .action(
      async (opts: {
        state?: string;
        source?: string;
        skill?: string;
        deadLetter?: boolean;
        limit: number;
      }) => {
        const app = await ctx.openApp({ seed: false });
        const tenant = ctx.principal().tenant;
        const list = await listJobs(app.db, {
          tenant,
          state: opts.state as JobRecord['state'] | undefined,
          source: opts.source,
          skillId: opts.skill,
          deadLetter: opts.deadLetter ? true : undefined,
          limit: Number.isFinite(opts.limit) ? opts.limit : 50,
        });
        if (ctx.json) return ctx.printJson(list);
        if (list.length === 0) return ctx.out('no jobs');
        ctx.table(list.map(jobRow));
        const counts = await countJobs(app.db, tenant);
        if (counts.interrupted) {
          ctx.err(
            `${counts.interrupted} interrupted job(s) need a decision: check their effects, then \`skillgate jobs retry <id>\` or \`skillgate jobs cancel <id>\`.`,
          );
        }
      },
    );

  jobs
    .command('show')
    .description('A job in detail: state, input, every attempt, its run')
    .argument('<id>', 'job id')
    .action(async (id: string) => {
      const app = await ctx.openApp({ seed: false });
      const d = await showJob(app.db, id, ctx.principal());
      if (ctx.json) return ctx.printJson(d);
      const j = d.job;
      ctx.value({
        ...jobRow(j),
        channel: j.channel,
        run: j.runId ?? '',
        approval: j.approvalId ?? '',
        retry_at: time(j.runAfter),
        started: time(j.startedAt),
        finished: time(j.finishedAt),
      });
      ctx.out('input:');
      ctx.value(j.input, '  ');
      if (j.lastError) ctx.out(`last error: ${j.lastError.code}: ${j.lastError.message}`);
      if (j.state === 'succeeded' && j.output !== undefined) {
        ctx.out('output:');
        ctx.value(j.output, '  ');
      }
      if (d.attempts.length) {
        ctx.out('attempts:');
        ctx.table(
          d.attempts.map((a) => ({
            '#': a.attempt,
            outcome: a.outcome,
            run: a.runId ?? '',
            worker: a.workerId ?? '',
            started: time(a.startedAt),
            finished: time(a.finishedAt),
            retry_at: time(a.retryAt),
            error: a.error?.code ?? '',
          })),
        );
      }
      if (j.state === 'interrupted') {
        ctx.err('This job was interrupted mid-run and was not re-run (its skill is not idempotent).');
        ctx.err(`Check its effects, then: skillgate jobs retry ${j.id}   or   skillgate jobs cancel ${j.id}`);
      }
    });

  for (const action of ['retry', 'cancel'] as const) {
    jobs
      .command(action)
      .description(
        action === 'retry'
          ? 'Run a failed, interrupted or cancelled job again (a new attempt)'
          : 'Cancel a queued, running or waiting job',
      )
      .argument('<id>', 'job id')
      .action(async (id: string) => {
        const app = await ctx.openApp({ seed: false });
        const actx = { db: app.db, queue: jobQueueOf(app), registry: app.registry };
        const job = await (action === 'retry' ? retryJob : cancelJob)(actx, id, ctx.principal());
        if (ctx.json) return ctx.printJson(job);
        if (action === 'retry') return ctx.out(`job ${job.id} queued again (attempt ${job.attempts + 1})`);
        ctx.out(
          job.state === 'running'
            ? `job ${job.id}: cancel requested; its worker stops the run within seconds`
            : `job ${job.id} cancelled`,
        );
      });
  }

  jobs
    .command('work')
    .description('Run queued jobs in this process (for deployments without `skillgate serve`)')
    .option('--timeout <seconds>', 'stop after this long', (v) => Number.parseInt(v, 10), 600)
    .action(async (opts: { timeout: number }) => {
      const app = await ctx.openApp({ seed: false });
      const done = await drainJobs(app, { timeoutMs: opts.timeout * 1000 });
      const counts = await countJobs(app.db, ctx.principal().tenant);
      if (ctx.json) ctx.printJson({ idle: done, counts });
      else
        ctx.out(
          done ? `no more jobs to run (${JSON.stringify(counts)})` : 'stopped at the timeout; jobs remain',
        );
      if (!done) ctx.exitCode = EXIT.failed;
    });
}
