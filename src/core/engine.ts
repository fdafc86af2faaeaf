import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { Db } from '../db/db.js';
import type { Handler, HandlerContext, StepRecord } from '../tools/handler.js';
import { formatIssues } from '../tools/json-schema-subset.js';
import type { SkillRegistry } from '../tools/registry.js';
import type { Skill } from '../tools/skill.js';
import type { ApprovalRecord } from './approvals/approval-record.js';
import {
  claimForExecution,
  expireDueApprovals,
  finishApproval,
  getApproval,
  insertApproval,
  recordDecision,
} from './approvals/approval-store.js';
import { appendAudit } from './audit/audit-log.js';
import type { Config } from './config/config-schema.js';
import { SkillgateError, toSkillgateError } from './errors.js';
import { EventCollector } from './event-collector.js';
import type { EngineEvent } from './events.js';
import { executeHandler } from './execute-handler.js';
import { precheckBudget, reserveBudget, settleBudget } from './gates/budget.js';
import { claimIdempotencyKey } from './gates/idempotency.js';
import { assertAllowed, decidePolicy } from './gates/policy.js';
import { rateLimitedError, TokenBucketLimiter } from './gates/rate-limit.js';
import { inputHash } from './hash.js';
import { type Clock, defaultIds, type IdGenerator, systemClock } from './ids.js';
import { silentLogger } from './logger.js';
import type { Principal } from './principal.js';
import type { RunRecord } from './records/run-record.js';
import { getRun, insertEvents, insertRun, updateRun, upsertStep } from './records/run-store.js';
import type { SkillRouter } from './router-port.js';
import type { RunErrorInfo, RunRequest, RunResult } from './run-request.js';
import { SecretStore } from './secrets.js';

export interface EngineOptions {
  db: Db;
  config: Config;
  registry: SkillRegistry;
  logger?: Logger;
  secrets?: SecretStore;
  router?: SkillRouter;
  clock?: Clock;
  ids?: IdGenerator;
  /** Extra fields merged into every handler context (e.g. the embedder). */
  context?: Partial<HandlerContext>;
}

export interface DecideRequest {
  approvalId: string;
  principal: Principal;
  decision: 'approve' | 'deny';
  comment?: string;
  channel: string;
}

export interface DecideResult {
  approval: ApprovalRecord;
  /** The run's result when this decision approved it and it executed. */
  run?: RunResult;
}

/** Internal per-run flags. */
interface RunFlags {
  /** The parent run was approved: a child's `require` becomes auto (a `deny` still denies). */
  coveredByApproval?: boolean;
}

const FINAL = new Set([
  'succeeded',
  'failed',
  'rejected',
  'denied',
  'expired',
  'dry_run',
  'interrupted',
  'cancelled',
]);

function errorInfo(err: SkillgateError): RunErrorInfo {
  return err.toJSON();
}

/**
 * The one execution path. Every entry point (CLI, MCP, chat, webhooks, schedules, the agent loop,
 * pipeline steps) builds a `RunRequest` and calls `run`. In order: resolve (router if a query) ->
 * validate input -> policy -> rate limit -> idempotency -> budget -> approval gate -> execute ->
 * record run, steps, cost, events and a hash-chained audit entry.
 *
 * Events: `event` (EngineEvent) for every event of every run.
 */
export class Engine extends EventEmitter {
  readonly db: Db;
  readonly config: Config;
  readonly registry: SkillRegistry;
  readonly logger: Logger;
  readonly secrets: SecretStore;
  router?: SkillRouter;
  private readonly clock: Clock;
  private readonly ids: IdGenerator;
  private readonly principalLimiter?: TokenBucketLimiter;
  private readonly skillLimiter?: TokenBucketLimiter;

  constructor(private readonly options: EngineOptions) {
    super();
    this.db = options.db;
    this.config = options.config;
    this.registry = options.registry;
    this.logger = options.logger ?? silentLogger;
    this.secrets = options.secrets ?? new SecretStore(options.config.home);
    this.router = options.router;
    this.clock = options.clock ?? systemClock;
    this.ids = options.ids ?? defaultIds;
    const rl = options.config.rate_limits;
    if (rl.per_principal)
      this.principalLimiter = new TokenBucketLimiter({
        burst: rl.per_principal.burst,
        perSecond: rl.per_principal.per_second,
      });
    if (rl.per_skill)
      this.skillLimiter = new TokenBucketLimiter({
        burst: rl.per_skill.burst,
        perSecond: rl.per_skill.per_second,
      });
  }

  /** Runs a request through every gate. Never throws for a refused or failed run: see `status`/`error`. */
  async run(req: RunRequest, flags: RunFlags = {}): Promise<RunResult> {
    const started = performance.now();
    const now = this.clock();
    const principal = req.principal;
    const tenant = principal.tenant;
    const requestId = req.requestId ?? this.ids('req');
    const mode = req.mode ?? 'execute';
    const ev = new EventCollector(requestId, tenant, [req.onEvent, (e) => this.emit('event', e)], this.clock);
    const runId = this.ids('run');
    ev.runId = runId;
    ev.emit('request_received', {
      channel: req.channel,
      skill: req.skill ?? null,
      query: req.query?.slice(0, 500) ?? null,
      mode,
    });
    const record: RunRecord = {
      id: runId,
      tenant,
      requestId,
      parentRunId: req.parentRunId,
      principal: principal.id,
      channel: req.channel,
      query: req.query,
      input: req.input ?? {},
      mode,
      status: 'rejected',
      costUsd: 0,
      tokens: 0,
      attempts: 0,
      createdAt: now,
    };
    let skill: Skill | undefined;
    try {
      const entry = await this.resolve(req, principal, ev);
      skill = entry.skill;
      ev.skillId = skill.id;
      record.skillId = skill.id;
      record.skillVersion = skill.spec.version;
      if (skill.spec.deprecated?.disabled) {
        throw new SkillgateError(
          'skill.disabled',
          `${skill.id} is disabled: ${skill.spec.deprecated.message}`,
          {
            skill: skill.id,
            replaced_by: skill.spec.deprecated.replaced_by ?? null,
          },
        );
      }
      const parsed = skill.inputSchema.safeParse(req.input ?? {});
      if (!parsed.success) {
        throw new SkillgateError(
          'skill.input_invalid',
          `Invalid input for ${skill.id}: ${formatIssues(parsed.error)}`,
          {
            skill: skill.id,
          },
        );
      }
      const input = parsed.data as Record<string, unknown>;
      record.input = input;
      record.inputHash = inputHash(skill.id, skill.spec.version, input);

      const policy = decidePolicy(this.config, principal, skill, tenant);
      ev.emit('policy_decision', {
        allowed: policy.allowed,
        reason: policy.reason,
        roles: principal.roles,
        permissions: skill.permissions,
        approval: policy.approval.decision,
        approval_reason: policy.approval.reason,
      });
      assertAllowed(policy, principal, skill);

      this.checkRateLimits(principal, skill);

      if (req.idempotencyKey && mode === 'execute') {
        const replay = await this.checkIdempotency(req, principal, skill, record, ev, now);
        if (replay) return replay;
      }

      const estimate = skill.spec.cost.estimate_usd;
      if (mode === 'execute' && estimate > 0) {
        await precheckBudget(this.db, this.config, { tenant, principal: principal.id, usd: estimate, now });
      }
      ev.emit('budget_check', { estimate_usd: estimate, checked: mode === 'execute' && estimate > 0 });

      if (mode === 'dry_run') {
        return await this.dryRun(entry, record, req, ev, started);
      }

      let approvalDecision = policy.approval.decision;
      if (approvalDecision === 'require' && flags.coveredByApproval) approvalDecision = 'auto';
      if (approvalDecision === 'deny') {
        throw new SkillgateError(
          'approval.forbidden_by_policy',
          `The policy forbids ${skill.id} for ${principal.id}: ${policy.approval.reason}.`,
          { skill: skill.id, principal: principal.id },
        );
      }
      if (approvalDecision === 'require') {
        return await this.requestApproval(entry, record, req, policy.approval, ev, started);
      }
      return await this.execute(entry, record, req, ev, started, {
        insert: true,
        coveredByApproval: flags.coveredByApproval,
      });
    } catch (err) {
      const e = toSkillgateError(err);
      record.status = 'rejected';
      record.error = errorInfo(e);
      record.finishedAt = this.clock();
      record.durationMs = Math.round(performance.now() - started);
      ev.emit('execution_result', { status: 'rejected', error: e.code });
      await this.db.tx(async (q) => {
        await insertRun(q, this.secrets.redactValue(record));
        await appendAudit(q, [this.auditOf(record, `run.rejected`, { error: e.code })]);
        await insertEvents(q, ev.drain());
      });
      this.logger.info({ requestId, runId, skill: skill?.id, code: e.code }, 'run rejected');
      return this.resultOf(record, started);
    }
  }

  private async resolve(req: RunRequest, principal: Principal, ev: EventCollector) {
    let skillId = req.skill;
    if (!skillId) {
      if (!req.query?.trim()) {
        throw new SkillgateError(
          'request.invalid',
          'Name a skill, or give a request in words for the router.',
        );
      }
      if (!this.router) {
        throw new SkillgateError(
          'skill.not_found',
          'No skill was named and no router is configured; name the skill.',
        );
      }
      const route = await this.router.route(req.query, { principal });
      ev.emit('routing_candidates', { candidates: route.candidates.slice(0, 5) });
      ev.emit('routing_decision', {
        skill: route.skill,
        confidence: route.confidence,
        margin: route.margin,
        reason: route.reason,
      });
      if (!route.skill) {
        const closest = route.candidates.slice(0, 3).map((c) => c.skill);
        throw new SkillgateError(
          'skill.not_found',
          `No skill matches "${req.query.slice(0, 100)}" confidently.${closest.length ? ` Closest: ${closest.join(', ')}.` : ''}`,
          { query: req.query.slice(0, 200), suggestions: closest.join(',') },
        );
      }
      skillId = route.skill;
    }
    const entry = this.registry.require(skillId);
    if (entry.skill.spec.internal && !req.parentRunId) {
      throw new SkillgateError(
        'skill.not_found',
        `${skillId} is internal: it runs only as a pipeline step.`,
        { skill: skillId },
      );
    }
    return entry;
  }

  private checkRateLimits(principal: Principal, skill: Skill): void {
    const p = this.principalLimiter?.take(`${principal.tenant}:${principal.id}`);
    if (p && !p.ok) throw rateLimitedError(`principal ${principal.id}`, p.retryAfterS);
    const s = this.skillLimiter?.take(`${principal.tenant}:${skill.id}`);
    if (s && !s.ok) throw rateLimitedError(`skill ${skill.id}`, s.retryAfterS);
  }

  private async checkIdempotency(
    req: RunRequest,
    principal: Principal,
    skill: Skill,
    record: RunRecord,
    ev: EventCollector,
    now: Date,
  ): Promise<RunResult | undefined> {
    const claim = await claimIdempotencyKey(this.db, {
      tenant: principal.tenant,
      scope: req.idempotencyScope ?? principal.id,
      skillId: skill.id,
      key: req.idempotencyKey!,
      inputHash: record.inputHash!,
      runId: record.id,
      ttlMs: this.config.idempotency_ttl,
      now,
    });
    if (claim.claimed) return undefined;
    ev.emit('idempotency_hit', {
      key: req.idempotencyKey,
      first_run: claim.runId,
      same_input: claim.inputHash === record.inputHash,
    });
    if (claim.inputHash !== record.inputHash) {
      throw new SkillgateError(
        'idempotency.key_reused',
        `Idempotency key "${req.idempotencyKey}" was already used for ${skill.id} with a different input (run ${claim.runId}).`,
        { first_run: claim.runId },
      );
    }
    const first = await getRun(this.db, claim.runId, principal.tenant);
    if (!first || !(FINAL.has(first.status) || first.status === 'waiting_approval')) {
      throw new SkillgateError(
        'idempotency.in_progress',
        `The first request with idempotency key "${req.idempotencyKey}" (run ${claim.runId}) is still running.`,
        { first_run: claim.runId },
      );
    }
    await insertEvents(
      this.db,
      ev.drain().map((e) => ({ ...e, runId: claim.runId })),
    );
    const result = this.resultOf(first, performance.now());
    if (first.status === 'waiting_approval' && first.approvalId) {
      const a = await getApproval(this.db, first.approvalId, principal.tenant);
      if (a)
        result.approval = {
          id: a.id,
          expiresAt: a.expiresAt,
          approverRoles: a.approverRoles,
          quorum: a.quorum,
          reason: a.reason,
        };
    }
    return { ...result, replayed: true };
  }

  /** The handler context of a run; `invoke` runs pipeline steps back through `run`. */
  private contextOf(
    entry: { skill: Skill },
    record: RunRecord,
    req: RunRequest,
    ev: EventCollector,
    coveredByApproval: boolean,
  ) {
    const stepWrites: Promise<void>[] = [];
    const ctx: Omit<HandlerContext, 'signal'> = {
      skill: entry.skill,
      input: record.input as Record<string, unknown>,
      mode: record.mode,
      runId: record.id,
      requestId: record.requestId,
      principal: req.principal,
      tenant: record.tenant,
      db: this.db,
      config: this.config,
      log: this.logger.child({ requestId: record.requestId, runId: record.id, skill: entry.skill.id }),
      secret: (name) => this.secrets.get(name),
      invoke: async (child) => {
        const r = await this.run(
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
        if (record.mode === 'execute') stepWrites.push(upsertStep(this.db, record.id, s).catch(() => {}));
      },
      ...this.options.context,
    };
    return { ctx, flushSteps: () => Promise.all(stepWrites) };
  }

  private async preview(
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

  private async dryRun(
    entry: { skill: Skill; handler: Handler },
    record: RunRecord,
    req: RunRequest,
    ev: EventCollector,
    started: number,
  ) {
    const { ctx } = this.contextOf(entry, record, req, ev, false);
    try {
      const p = await this.preview(entry.handler, entry.skill, ctx, req.signal);
      record.preview = this.secrets.redactValue(p.preview);
      if (p.output !== undefined) record.output = this.secrets.redactValue(p.output);
      record.status = 'dry_run';
    } catch (err) {
      record.status = 'failed';
      record.error = errorInfo(toSkillgateError(err, 'skill.failed'));
    }
    record.finishedAt = this.clock();
    record.durationMs = Math.round(performance.now() - started);
    ev.emit('execution_result', { status: record.status, dry_run: true });
    await this.db.tx(async (q) => {
      await insertRun(q, record);
      await appendAudit(q, [this.auditOf(record, 'run.dry_run', {})]);
      await insertEvents(q, ev.drain());
    });
    return this.resultOf(record, started);
  }

  private async requestApproval(
    entry: { skill: Skill; handler: Handler },
    record: RunRecord,
    req: RunRequest,
    requirement: ReturnType<typeof decidePolicy>['approval'],
    ev: EventCollector,
    started: number,
  ): Promise<RunResult> {
    const { ctx } = this.contextOf(entry, { ...record, mode: 'dry_run' }, req, ev, false);
    const p = await this.preview(entry.handler, entry.skill, ctx, req.signal);
    const preview = this.secrets.redactValue(
      p.output === undefined ? p.preview : { ...(p.preview as object), output: p.output },
    );
    const now = this.clock();
    const approval: Omit<ApprovalRecord, 'decisions' | 'status'> = {
      id: this.ids('apr'),
      tenant: record.tenant,
      runId: record.id,
      skillId: entry.skill.id,
      skillVersion: entry.skill.spec.version,
      input: record.input as Record<string, unknown>,
      inputHash: record.inputHash!,
      preview,
      requestedBy: req.principal.id,
      requester: req.principal,
      channel: req.channel,
      risk: entry.skill.spec.risk,
      reason: requirement.reason,
      approverRoles: requirement.approverRoles,
      quorum: requirement.quorum,
      allowSelf: requirement.allowSelf,
      createdAt: now,
      expiresAt: new Date(now.getTime() + requirement.expiresInMs),
    };
    record.status = 'waiting_approval';
    record.preview = preview;
    record.approvalId = approval.id;
    ev.emit('approval_requested', {
      approval: approval.id,
      risk: approval.risk,
      approver_roles: approval.approverRoles,
      quorum: approval.quorum,
      expires_at: approval.expiresAt.toISOString(),
    });
    await this.db.tx(async (q) => {
      await insertRun(q, record);
      await insertApproval(q, approval);
      await appendAudit(q, [
        this.auditOf(record, 'approval.requested', { approval: approval.id, risk: approval.risk }),
      ]);
      await insertEvents(q, ev.drain());
    });
    const result = this.resultOf(record, started);
    result.status = 'pending_approval';
    result.approval = {
      id: approval.id,
      expiresAt: approval.expiresAt,
      approverRoles: approval.approverRoles,
      quorum: approval.quorum,
      reason: approval.reason,
    };
    return result;
  }

  /** Reserves budget, runs the handler, records the outcome. `insert: false` continues an existing run row. */
  private async execute(
    entry: { skill: Skill; handler: Handler },
    record: RunRecord,
    req: RunRequest,
    ev: EventCollector,
    started: number,
    opts: { insert: boolean; coveredByApproval?: boolean },
  ): Promise<RunResult> {
    const skill = entry.skill;
    const estimate = skill.spec.cost.estimate_usd;
    const budgetReq = {
      tenant: record.tenant,
      principal: record.principal,
      usd: estimate,
      runId: record.id,
      skillId: skill.id,
      now: this.clock(),
    };
    record.status = 'running';
    record.startedAt = this.clock();
    try {
      await this.db.tx(async (q) => {
        await reserveBudget(q, this.config, budgetReq);
        if (opts.insert) await insertRun(q, record);
        else await updateRun(q, record.id, { status: 'running', startedAt: record.startedAt! });
      });
    } catch (err) {
      if (opts.insert) throw err;
      // A resumed run (after approval) already has its row: record the refusal on it.
      const e = toSkillgateError(err);
      Object.assign(record, { status: 'failed', error: errorInfo(e), finishedAt: this.clock() });
      record.durationMs = Math.round(performance.now() - started);
      ev.emit('execution_result', { status: 'failed', error: e.code });
      await this.db.tx(async (q) => {
        await updateRun(q, record.id, {
          status: 'failed',
          error: record.error,
          finishedAt: record.finishedAt!,
        });
        await appendAudit(q, [
          this.auditOf(record, 'run.failed', { error: e.code, approval: record.approvalId ?? null }),
        ]);
        await insertEvents(q, ev.drain());
      });
      return this.resultOf(record, started);
    }
    ev.emit('execution_started', { attempt: 1 });
    const { ctx, flushSteps } = this.contextOf(
      entry,
      record,
      req,
      ev,
      opts.coveredByApproval ?? record.approvalId != null,
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
      record.output = this.secrets.redactValue(result.output);
      record.tokens = result.tokens ?? 0;
      record.status = 'succeeded';
    } catch (err) {
      const e = toSkillgateError(err, 'skill.failed');
      record.status = 'failed';
      record.error = this.secrets.redactValue(errorInfo(e));
      record.attempts = Math.max(record.attempts, 1);
    }
    await flushSteps();
    record.costUsd = actualUsd;
    record.finishedAt = this.clock();
    record.durationMs = Math.round(performance.now() - started);
    ev.emit('execution_result', {
      status: record.status,
      duration_ms: record.durationMs,
      cost_usd: record.costUsd,
      error: (record.error as RunErrorInfo | undefined)?.code ?? null,
    });
    await this.db.tx(async (q) => {
      await settleBudget(q, {
        ...budgetReq,
        actualUsd,
        kind: record.status === 'succeeded' ? 'settle' : 'release',
      });
      await updateRun(q, record.id, {
        status: record.status,
        output: record.output,
        error: record.error,
        costUsd: record.costUsd,
        tokens: record.tokens,
        attempts: record.attempts,
        finishedAt: record.finishedAt!,
        durationMs: record.durationMs!,
      });
      await appendAudit(q, [
        this.auditOf(record, `run.${record.status}`, {
          input_hash: record.inputHash,
          error: (record.error as RunErrorInfo | undefined)?.code ?? null,
          approval: record.approvalId ?? null,
        }),
      ]);
      await insertEvents(q, ev.drain());
    });
    return this.resultOf(record, started);
  }

  /**
   * Records a decision on an approval from any surface. When the decision completes the quorum,
   * the approved input runs at once (exactly once, even with several replicas) and its result is
   * returned. Throws `approval.*` errors for refused decisions.
   */
  async decide(req: DecideRequest): Promise<DecideResult> {
    const now = this.clock();
    const outcome = await this.db.tx(async (q) => {
      const o = await recordDecision(q, {
        id: req.approvalId,
        principal: req.principal,
        decision: req.decision,
        comment: req.comment,
        channel: req.channel,
        now,
      });
      const a = o.approval;
      const action =
        o.kind === 'expired'
          ? 'approval.expired'
          : `approval.${req.decision === 'deny' ? 'denied' : a.status === 'approved' ? 'approved' : 'vote'}`;
      await appendAudit(q, [
        {
          tenant: a.tenant,
          actor: req.principal.id,
          action,
          target: a.skillId,
          runId: a.runId,
          data: { approval: a.id, comment: req.comment ?? null, channel: req.channel },
          ts: now,
        },
      ]);
      if (o.kind === 'expired') await updateRun(q, a.runId, { status: 'expired', finishedAt: now });
      if (a.status === 'denied') {
        const err = new SkillgateError(
          'approval.denied',
          `${req.principal.id} denied the run of ${a.skillId}.`,
          { approval: a.id },
        );
        await updateRun(q, a.runId, { status: 'denied', error: errorInfo(err), finishedAt: now });
      }
      return o;
    });
    const a = outcome.approval;
    this.emitApprovalEvent(a, outcome.kind === 'expired' ? 'approval_expired' : 'approval_decided', {
      decided_by: req.principal.id,
      decision: req.decision,
    });
    if (outcome.kind === 'expired') {
      throw new SkillgateError(
        'approval.expired',
        `Approval ${a.id} expired at ${a.expiresAt.toISOString()} before it was decided.`,
        { approval: a.id },
      );
    }
    if (a.status !== 'approved') return { approval: a };
    const run = await this.executeApproved(a.id);
    const fresh = (await getApproval(this.db, a.id)) ?? a;
    return { approval: fresh, run };
  }

  /** Executes an approved approval's exact input, once. Returns undefined if another caller won. */
  async executeApproved(approvalId: string): Promise<RunResult | undefined> {
    if (!(await claimForExecution(this.db, approvalId))) return undefined;
    const a = (await getApproval(this.db, approvalId))!;
    const run = (await getRun(this.db, a.runId))!;
    const started = performance.now();
    const ev = new EventCollector(run.requestId, a.tenant, [(e) => this.emit('event', e)], this.clock);
    ev.runId = run.id;
    ev.skillId = a.skillId;
    let entry: { skill: Skill; handler: Handler };
    try {
      entry = this.registry.require(a.skillId);
      const hash = inputHash(entry.skill.id, entry.skill.spec.version, a.input);
      if (hash !== a.inputHash || hash !== run.inputHash) {
        throw new SkillgateError(
          'approval.input_mismatch',
          `${a.skillId} changed (version ${a.skillVersion} -> ${entry.skill.spec.version}) or its input did since approval ${a.id}; request it again.`,
          { approval: a.id },
        );
      }
    } catch (err) {
      const e = toSkillgateError(err);
      await this.db.tx(async (q) => {
        await updateRun(q, run.id, { status: 'failed', error: errorInfo(e), finishedAt: this.clock() });
        await finishApproval(q, a.id, 'failed', this.clock());
        await appendAudit(q, [
          this.auditOf({ ...run, status: 'failed' }, 'run.failed', { error: e.code, approval: a.id }),
        ]);
      });
      return { ...this.resultOf({ ...run, status: 'failed', error: errorInfo(e) }, started) };
    }
    const req: RunRequest = {
      principal: a.requester,
      channel: a.channel,
      requestId: run.requestId,
      parentRunId: run.parentRunId ?? undefined,
    };
    const result = await this.execute(entry, { ...run, input: a.input }, req, ev, started, {
      insert: false,
      coveredByApproval: true,
    });
    await finishApproval(this.db, a.id, result.status === 'succeeded' ? 'executed' : 'failed', this.clock());
    return result;
  }

  /** Expires overdue approvals (their runs become `expired`); returns how many. */
  async expireApprovals(): Promise<number> {
    const now = this.clock();
    const expired = await this.db.tx(async (q) => {
      const rows = await expireDueApprovals(q, now);
      for (const r of rows) await updateRun(q, r.runId, { status: 'expired', finishedAt: now });
      if (rows.length) {
        await appendAudit(
          q,
          rows.map((r) => ({
            tenant: r.tenant,
            actor: 'system',
            action: 'approval.expired',
            runId: r.runId,
            data: { approval: r.id },
            ts: now,
          })),
        );
      }
      return rows;
    });
    for (const r of expired) {
      const a = await getApproval(this.db, r.id);
      if (a) this.emitApprovalEvent(a, 'approval_expired', {});
    }
    return expired.length;
  }

  private emitApprovalEvent(
    a: ApprovalRecord,
    type: 'approval_decided' | 'approval_expired',
    data: Record<string, unknown>,
  ): void {
    const event: EngineEvent = {
      type,
      requestId: a.runId,
      runId: a.runId,
      tenant: a.tenant,
      skillId: a.skillId,
      ts: this.clock(),
      data: { approval: a.id, status: a.status, ...data },
    };
    this.emit('event', event);
    insertEvents(this.db, [event]).catch(() => {});
  }

  private auditOf(record: RunRecord, action: string, data: Record<string, unknown>) {
    return {
      tenant: record.tenant,
      actor: record.principal,
      action,
      target: record.skillId ?? undefined,
      runId: record.id,
      data: { channel: record.channel, mode: record.mode, parent: record.parentRunId ?? null, ...data },
      ts: this.clock(),
    };
  }

  private resultOf(record: RunRecord, started: number): RunResult {
    return {
      runId: record.id,
      requestId: record.requestId,
      status: record.status,
      skill: record.skillId ?? undefined,
      output: record.output,
      preview: record.preview,
      error: record.error as RunErrorInfo | undefined,
      costUsd: record.costUsd,
      durationMs: record.durationMs ?? Math.round(performance.now() - started),
    };
  }
}
