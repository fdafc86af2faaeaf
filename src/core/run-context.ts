import type { HandlerContext, StepRecord } from '../tools/handler.js';
import type { Skill } from '../tools/skill.js';
import type { EngineInternals } from './engine-internals.js';
import type { EventCollector } from './event-collector.js';
import type { RunRecord } from './records/run-record.js';
import { upsertStep } from './records/run-store.js';
import type { RunRequest } from './run-request.js';

/** A handler context and the completion of its step writes. */
export interface RunContext {
  ctx: Omit<HandlerContext, 'signal'>;
  /** Resolves when every step recorded so far is written (step write errors are swallowed). */
  flushSteps: () => Promise<unknown>;
}

/**
 * The handler context of a run. `invoke` runs pipeline steps back through `Engine.run` as children
 * of this run (same request id, principal, channel, signal and live listener); `coveredByApproval`
 * carries an approval down to them. `step` emits `step_progress` and, in `execute` mode only,
 * writes the step row. `EngineOptions.context` is merged last.
 */
export function createRunContext(
  engine: EngineInternals,
  entry: { skill: Skill },
  record: RunRecord,
  req: RunRequest,
  ev: EventCollector,
  coveredByApproval: boolean,
  /** Awaited before each step row is written (a deferred run row must exist first). */
  beforeStepWrite: () => Promise<void> = () => Promise.resolve(),
): RunContext {
  const stepWrites: Promise<void>[] = [];
  const ctx: Omit<HandlerContext, 'signal'> = {
    skill: entry.skill,
    input: record.input as Record<string, unknown>,
    mode: record.mode,
    runId: record.id,
    requestId: record.requestId,
    principal: req.principal,
    tenant: record.tenant,
    db: engine.db,
    config: engine.config,
    log: engine.logger.child({ requestId: record.requestId, runId: record.id, skill: entry.skill.id }),
    secret: (name) => engine.secrets.get(name),
    invoke: async (child) => {
      const r = await engine.run(
        {
          principal: req.principal,
          channel: req.channel,
          skill: child.skill,
          input: child.input,
          mode: child.mode,
          requestId: record.requestId,
          parentRunId: record.id,
          signal: req.signal,
          onEvent: req.onEvent,
        },
        { coveredByApproval },
      );
      return { runId: r.runId, status: r.status, output: r.output, preview: r.preview, error: r.error };
    },
    step: (s: StepRecord) => {
      ev.emit('step_progress', {
        step: s.stepId,
        skill: s.skillId,
        status: s.status,
        child_run: s.childRunId ?? null,
      });
      if (record.mode === 'execute') {
        stepWrites.push(
          beforeStepWrite()
            .then(() => upsertStep(engine.db, record.id, s))
            .catch(() => {}),
        );
      }
    },
    ...engine.extraContext(),
  };
  return { ctx, flushSteps: () => Promise.all(stepWrites) };
}
