import type { SkillgateApp } from '../../core/app.js';
import type { RunRequest } from '../../core/run-request.js';
import { type EnqueueRequest, type EnqueueResult, JobQueue } from './job-queue.js';

/** What a job queue needs of an app. */
export type QueueHost = Pick<SkillgateApp, 'db' | 'config' | 'registry' | 'logger'>;

const queues = new WeakMap<object, JobQueue>();

/** The app's job queue, created once per app (the worker, webhooks, schedules and the CLI share it). */
export function jobQueueOf(app: QueueHost): JobQueue {
  let queue = queues.get(app);
  if (!queue) {
    queue = new JobQueue({ db: app.db, config: app.config, registry: app.registry, logger: app.logger });
    queues.set(app, queue);
  }
  return queue;
}

/**
 * Runs a request asynchronously: queues it as a durable job and returns at once with the job id
 * (`skillgate run ... --async`, long MCP calls, chat and agent requests). The job runs later
 * through `engine.run` on any worker, as `request.principal`. An `idempotencyKey` makes the job
 * unique per principal (or `idempotencyScope`) and skill: asking again returns the first job
 * (`duplicate: true`). `signal` and `onEvent` do not survive the queue and are ignored.
 */
export async function enqueueRun(
  app: QueueHost,
  request: RunRequest | EnqueueRequest,
  options: { source?: string } = {},
): Promise<EnqueueResult> {
  const r = request as RunRequest & EnqueueRequest;
  const dedupeKey =
    r.dedupeKey ??
    (r.idempotencyKey
      ? `idem:${r.idempotencyScope ?? r.principal.id}:${r.skill ?? 'query'}:${r.idempotencyKey}`
      : undefined);
  return jobQueueOf(app).enqueue({
    principal: r.principal,
    channel: r.channel,
    source: options.source ?? r.source ?? r.channel,
    sourceRef: r.sourceRef,
    skill: r.skill,
    query: r.query,
    input: r.input,
    mode: r.mode,
    dedupeKey,
    runAfter: r.runAfter,
  });
}
