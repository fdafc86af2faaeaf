import type { Handler, HandlerContext } from '../tools/handler.js';
import type { Skill } from '../tools/skill.js';
import type { EngineInternals, SkillEntry } from './engine-internals.js';
import { SkillgateError, toSkillgateError } from './errors.js';
import type { EventCollector } from './event-collector.js';
import { executeHandler } from './execute-handler.js';
import type { RunRecord } from './records/run-record.js';
import { createRunContext } from './run-context.js';
import type { RunRequest, RunResult } from './run-request.js';
import { auditOf, errorInfo, resultOf } from './run-result.js';

/**
 * The dry-run preview of a skill: the handler's `preview` when it has one; else, for a read-only
 * skill, a real run (no retries) whose output is reported; else `skill.failed`.
 */
export async function previewOf(
  handler: Handler,
  skill: Skill,
  ctx: Omit<HandlerContext, 'signal'>,
  signal?: AbortSignal,
): Promise<{ preview: unknown; output?: unknown }> {
  if (handler.preview) {
    return {
      preview: await handler.preview({
        ...ctx,
        mode: 'dry_run',
        signal: signal ?? new AbortController().signal,
      }),
    };
  }
  if (skill.spec.effects === 'read') {
    const { result } = await executeHandler(
      handler,
      { ...ctx, mode: 'dry_run' },
      { timeoutMs: skill.spec.timeout_ms, retries: 0, signal },
    );
    // A read-only skill has no side effects: its dry run is a real run, whose output is reported.
    return {
      preview: { effects: 'read', note: 'read-only: ran for real, nothing changed' },
      output: result.output,
    };
  }
  throw new SkillgateError(
    'skill.failed',
    `${skill.id} has no dry-run preview although it has ${skill.spec.effects} effects.`,
  );
}

/**
 * Runs a `dry_run` request after the gates: previews it (redacted) and records the run as
 * `dry_run` (or `failed`), its `run.dry_run` audit entry and its events, in one transaction.
 */
export async function recordDryRun(
  engine: EngineInternals,
  entry: SkillEntry,
  record: RunRecord,
  req: RunRequest,
  ev: EventCollector,
  started: number,
): Promise<RunResult> {
  const { ctx } = createRunContext(engine, entry, record, req, ev, false);
  try {
    const p = await previewOf(entry.handler, entry.skill, ctx, req.signal);
    record.preview = engine.secrets.redactValue(p.preview);
    if (p.output !== undefined) record.output = engine.secrets.redactValue(p.output);
    record.status = 'dry_run';
  } catch (err) {
    record.status = 'failed';
    record.error = errorInfo(toSkillgateError(err, 'skill.failed'));
  }
  record.finishedAt = engine.clock();
  record.durationMs = Math.round(performance.now() - started);
  ev.emit('execution_result', { status: record.status, dry_run: true });
  const events = ev.drain();
  await engine.outcomes.write({
    run: record,
    insert: true,
    events,
    audit: auditOf(engine.clock, record, 'run.dry_run', {}),
  });
  return resultOf(record, started);
}
