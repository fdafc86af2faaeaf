import { formatIssues } from '../tools/json-schema-subset.js';
import type { EngineInternals, SkillEntry } from './engine-internals.js';
import { SkillgateError, toSkillgateError } from './errors.js';
import type { EventCollector } from './event-collector.js';
import { executeHandler } from './execute-handler.js';
import { reserveBudget, settleBudget } from './gates/budget.js';
import { recordRunOutcomes } from './records/record-run-outcome.js';
import type { RunRecord } from './records/run-record.js';
import { createRunContext } from './run-context.js';
import type { RunErrorInfo, RunRequest, RunResult } from './run-request.js';
import { auditOf, errorInfo, resultOf } from './run-result.js';
import { mayDeferRunningRow, RunRowWriter } from './run-row-writer.js';

/** How `executeRun` treats the run row. */
export interface ExecuteRunOptions {
  /** `true`: insert a new run row; `false`: continue an existing one (a run resumed after approval). */
  insert: boolean;
  /** Passed down to child runs; default: the run has an approval. */
  coveredByApproval?: boolean;
}

/**
 * Executes a run that passed every gate: reserves budget (and inserts or updates the row as
 * `running`) in one transaction, runs the handler with its timeout, retries (`req.retries`, else the
 * skill's `max_retries`; 0 unless idempotent) and signal, validates the output, then settles or
 * releases the budget and records the outcome, audit entry and events in one transaction.
 * Output and error are redacted. A refused reservation throws for a new run; a resumed run records
 * it as `failed` instead.
 */
export async function executeRun(
  engine: EngineInternals,
  entry: SkillEntry,
  record: RunRecord,
  req: RunRequest,
  ev: EventCollector,
  started: number,
  opts: ExecuteRunOptions,
): Promise<RunResult> {
  const skill = entry.skill;
  const estimate = skill.spec.cost.estimate_usd;
  const budgetReq = {
    tenant: record.tenant,
    principal: record.principal,
    usd: estimate,
    runId: record.id,
    skillId: skill.id,
    now: engine.clock(),
  };
  record.status = 'running';
  record.startedAt = engine.clock();
  const row = new RunRowWriter(
    engine.db,
    record,
    !opts.insert ? 'update' : mayDeferRunningRow(skill, req.idempotencyKey) ? 'deferred' : 'insert',
  );
  try {
    if (estimate > 0) {
      await engine.db.tx(async (q) => {
        await reserveBudget(q, engine.config, budgetReq);
        await row.begin(q);
      });
    } else {
      await row.begin(); // nothing to reserve: one statement (or none yet), no transaction
    }
  } catch (err) {
    if (opts.insert) throw err;
    // A resumed run (after approval) already has its row: record the refusal on it.
    const e = toSkillgateError(err);
    Object.assign(record, { status: 'failed', error: errorInfo(e), finishedAt: engine.clock() });
    record.durationMs = Math.round(performance.now() - started);
    ev.emit('execution_result', { status: 'failed', error: e.code });
    await engine.outcomes.write({
      run: record,
      insert: false,
      events: ev.drain(),
      audit: auditOf(engine.clock, record, 'run.failed', {
        error: e.code,
        approval: record.approvalId ?? null,
      }),
    });
    return resultOf(record, started);
  }
  ev.emit('execution_started', { attempt: 1 });
  const { ctx, flushSteps } = createRunContext(
    engine,
    entry,
    record,
    req,
    ev,
    opts.coveredByApproval ?? record.approvalId != null,
    () => row.ensure(),
  );
  let actualUsd = 0;
  try {
    const retries = skill.spec.idempotent ? (req.retries ?? skill.spec.max_retries) : 0;
    const { result, attempts } = await executeHandler(entry.handler, ctx, {
      timeoutMs: skill.spec.timeout_ms,
      retries,
      signal: req.signal,
      onAttempt: (n) => {
        if (n > 1) ev.emit('execution_started', { attempt: n });
      },
    });
    record.attempts = attempts;
    if (skill.outputSchema) {
      const out = skill.outputSchema.safeParse(result.output);
      if (!out.success) {
        throw new SkillgateError(
          'skill.output_invalid',
          `${skill.id} returned an invalid output: ${formatIssues(out.error)}`,
        );
      }
    }
    actualUsd = result.costUsd ?? estimate;
    record.output = engine.secrets.redactValue(result.output);
    record.tokens = result.tokens ?? 0;
    record.status = 'succeeded';
  } catch (err) {
    const e = toSkillgateError(err, 'skill.failed');
    record.status = 'failed';
    record.error = engine.secrets.redactValue(errorInfo(e));
    record.attempts = Math.max(record.attempts, 1);
  }
  await flushSteps();
  const rowExists = await row.settle();
  record.costUsd = actualUsd;
  record.finishedAt = engine.clock();
  record.durationMs = Math.round(performance.now() - started);
  ev.emit('execution_result', {
    status: record.status,
    duration_ms: record.durationMs,
    cost_usd: record.costUsd,
    error: (record.error as RunErrorInfo | undefined)?.code ?? null,
  });
  const outcome = {
    run: record,
    insert: !rowExists,
    events: ev.drain(),
    audit: auditOf(engine.clock, record, `run.${record.status}`, {
      input_hash: record.inputHash,
      error: (record.error as RunErrorInfo | undefined)?.code ?? null,
      approval: record.approvalId ?? null,
    }),
  };
  if (estimate > 0 || actualUsd > 0) {
    await engine.db.tx(async (q) => {
      await settleBudget(q, {
        ...budgetReq,
        actualUsd,
        kind: record.status === 'succeeded' ? 'settle' : 'release',
      });
      await recordRunOutcomes(q, [outcome]);
    });
  } else {
    await engine.outcomes.write(outcome); // nothing to settle: one round trip, shared under load
  }
  return resultOf(record, started);
}
