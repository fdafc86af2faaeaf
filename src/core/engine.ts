import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { Db } from '../db/db.js';
import type { HandlerContext } from '../tools/handler.js';
import { formatIssues } from '../tools/json-schema-subset.js';
import type { SkillRegistry } from '../tools/registry.js';
import type { Skill } from '../tools/skill.js';
import type { Config } from './config/config-schema.js';
import { type DecideRequest, type DecideResult, EngineApprovals } from './engine-approvals.js';
import type { EngineInternals, RunFlags } from './engine-internals.js';
import { SkillgateError, toSkillgateError } from './errors.js';
import { EventCollector } from './event-collector.js';
import { precheckBudget } from './gates/budget.js';
import { assertAllowed, decidePolicy } from './gates/policy.js';
import { rateLimitedError, TokenBucketLimiter } from './gates/rate-limit.js';
import { inputHash } from './hash.js';
import { type Clock, defaultIds, type IdGenerator, systemClock } from './ids.js';
import { silentLogger } from './logger.js';
import type { Principal } from './principal.js';
import { OutcomeWriter } from './records/outcome-writer.js';
import type { RunRecord } from './records/run-record.js';
import type { SkillRouter } from './router-port.js';
import { executeRun } from './run-execution.js';
import { replayIdempotent } from './run-idempotency.js';
import { recordDryRun } from './run-preview.js';
import type { RunRequest, RunResult } from './run-request.js';
import { resolveEntry } from './run-resolve.js';
import { auditOf, errorInfo, resultOf } from './run-result.js';
import { SecretStore } from './secrets.js';

export type { DecideRequest, DecideResult } from './engine-approvals.js';

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

/**
 * The one execution path. Every entry point (CLI, MCP, chat, webhooks, schedules, the agent loop,
 * pipeline steps) builds a `RunRequest` and calls `run`. In order: resolve (router if a query) ->
 * validate input -> policy -> rate limit -> idempotency -> budget -> approval gate -> execute ->
 * record run, steps, cost, events and a hash-chained audit entry.
 *
 * Events: `event` (EngineEvent) for every event of every run.
 *
 * The gates live here; execution (`run-execution.ts`), dry runs (`run-preview.ts`), handler
 * contexts (`run-context.ts`) and the approval flow (`engine-approvals.ts`) receive the engine's
 * internals (`engine-internals.ts`).
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
  private readonly internals: EngineInternals;
  private readonly approvals: EngineApprovals;

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
    this.internals = {
      db: this.db,
      config: this.config,
      registry: this.registry,
      logger: this.logger,
      secrets: this.secrets,
      clock: this.clock,
      ids: this.ids,
      outcomes: new OutcomeWriter(this.db),
      emit: (event) => {
        this.emit('event', event);
      },
      run: (req, flags) => this.run(req, flags),
      executeApproved: (approvalId) => this.executeApproved(approvalId),
      extraContext: () => this.options.context,
    };
    this.approvals = new EngineApprovals(this.internals);
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
      const entry = await resolveEntry(this.registry, this.router, req, principal, ev);
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
        const replay = await replayIdempotent(this.internals, req, principal, skill, record, ev, now);
        if (replay) return replay;
      }

      const estimate = skill.spec.cost.estimate_usd;
      if (mode === 'execute' && estimate > 0) {
        await precheckBudget(this.db, this.config, { tenant, principal: principal.id, usd: estimate, now });
      }
      ev.emit('budget_check', { estimate_usd: estimate, checked: mode === 'execute' && estimate > 0 });

      if (mode === 'dry_run') {
        return await recordDryRun(this.internals, entry, record, req, ev, started);
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
        return await this.approvals.request(entry, record, req, policy.approval, ev, started);
      }
      return await executeRun(this.internals, entry, record, req, ev, started, {
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
      const events = ev.drain();
      await this.internals.outcomes.write({
        run: this.secrets.redactValue(record),
        insert: true,
        events,
        audit: auditOf(this.clock, record, 'run.rejected', { error: e.code }),
      });
      this.logger.info({ requestId, runId, skill: skill?.id, code: e.code }, 'run rejected');
      return resultOf(record, started);
    }
  }

  /**
   * Records a decision on an approval from any surface. When the decision completes the quorum,
   * the approved input runs at once (exactly once, even with several replicas) and its result is
   * returned. Throws `approval.*` errors for refused decisions.
   */
  async decide(req: DecideRequest): Promise<DecideResult> {
    return this.approvals.decide(req);
  }

  /** Executes an approved approval's exact input, once. Returns undefined if another caller won. */
  async executeApproved(approvalId: string): Promise<RunResult | undefined> {
    return this.approvals.executeApproved(approvalId);
  }

  /** Expires overdue approvals (their runs become `expired`); returns how many. */
  async expireApprovals(): Promise<number> {
    return this.approvals.expire();
  }

  private checkRateLimits(principal: Principal, skill: Skill): void {
    const p = this.principalLimiter?.take(`${principal.tenant}:${principal.id}`);
    if (p && !p.ok) throw rateLimitedError(`principal ${principal.id}`, p.retryAfterS);
    const s = this.skillLimiter?.take(`${principal.tenant}:${skill.id}`);
    if (s && !s.ok) throw rateLimitedError(`skill ${skill.id}`, s.retryAfterS);
  }
}
