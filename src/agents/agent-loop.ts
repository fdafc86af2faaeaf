import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { SkillgateError, toSkillgateError } from '../core/errors.js';
import type { EngineEvent } from '../core/events.js';
import { type Clock, defaultIds, type IdGenerator, systemClock } from '../core/ids.js';
import { silentLogger } from '../core/logger.js';
import type { Principal } from '../core/principal.js';
import type { AgentHost } from './agent-host.js';
import { currentPlan, loadAgentResult, resultOf } from './agent-result.js';
import type { AgentEvent, AgentRunRecord, AgentRunResult } from './agent-types.js';
import { driveDeps } from './drive-deps.js';
import { type DriveDeps, driveRun } from './drive-run.js';
import { createRoleModels, type RoleModels } from './models/chat-models.js';
import { makePlan } from './plan/make-plan.js';
import { PromptLibrary } from './prompts/prompt-library.js';
import { recordStop } from './stop-run.js';
import { firstRunOfAsk } from './store/agent-idempotency.js';
import {
  claimAgentRun,
  getAgentRun,
  insertAgentRun,
  updateAgentRun,
  waitingAgentRuns,
} from './store/agent-store.js';
import { hasDecidedWaits } from './store/step-store.js';
import { waitForApprovalOutcome } from './wait-approval.js';

export interface AgentLoopOptions {
  /** Models per role; default built from `config.models` (none configured: offline). */
  models?: RoleModels;
  prompts?: PromptLibrary;
  clock?: Clock;
  ids?: IdGenerator;
  /** Waits between model retries (tests pass a no-op). */
  sleep?: (ms: number) => Promise<void>;
}

export interface AskRequest {
  principal: Principal;
  request: string;
  /** The surface the request came from (cli, mcp, slack, ...); steps always run on channel `agent`. */
  channel?: string;
  signal?: AbortSignal;
  /** Live progress of this run. */
  onEvent?: (e: AgentEvent) => void;
  /**
   * Makes the ask idempotent per principal: a replay with the same key (a retried chat delivery)
   * returns the first run (`replayed: true`) instead of planning again, and every engine run of the
   * run carries `<key>:step:<plan version>:<step key>:<attempt>`. Default none.
   */
  idempotencyKey?: string;
}

/**
 * The planner / executor / critic / synthesizer loop. `ask` plans a request (model or offline),
 * runs the plan through the engine, checks and answers it; a step that needs approval pauses the
 * run durably (`waiting_approval`). Resuming is a small seam: `resume(id)` continues a paused run
 * whose approvals were decided (any process, after restarts); `onApprovalDecided(approvalId)` is
 * what surfaces call after `engine.decide` (it finds the run and resumes it once the approved run
 * finished); `attach()` does that automatically on the engine's `approval_decided` and
 * `approval_expired` events; `resumePending()` resumes every paused run whose decisions were made
 * while this process was down. Emits `event` (AgentEvent) for every run.
 */
export class AgentLoop extends EventEmitter {
  readonly models: RoleModels;
  readonly prompts: PromptLibrary;
  private readonly clock: Clock;
  private readonly ids: IdGenerator;
  private readonly logger: Logger;
  private readonly inflight = new Set<Promise<unknown>>();
  /** Asks with an idempotency key being handled in this process (a duplicate waits for the first). */
  private readonly asking = new Map<string, Promise<AgentRunResult>>();

  constructor(
    private readonly host: AgentHost,
    private readonly options: AgentLoopOptions = {},
  ) {
    super();
    this.models =
      options.models ??
      createRoleModels(host.config.models, { secret: (n) => host.secrets?.get(n) ?? process.env[n] });
    this.prompts = options.prompts ?? new PromptLibrary();
    this.clock = options.clock ?? systemClock;
    this.ids = options.ids ?? defaultIds;
    this.logger = host.logger ?? silentLogger;
  }

  /** `model` when a planner model is configured, else `offline`. */
  get mode(): 'offline' | 'model' {
    return this.models.planner ? 'model' : 'offline';
  }

  /**
   * Plans, executes, checks and answers a request. Never throws for a failed run: see `status`/`error`.
   * With `idempotencyKey`, a replay returns the first run (a concurrent duplicate in this process
   * waits for it); it throws `idempotency.key_reused` when the first ask had another request text
   * and `idempotency.in_progress` when the first run is still going in another process.
   */
  async ask(req: AskRequest): Promise<AgentRunResult> {
    const key = req.idempotencyKey?.trim() || undefined;
    if (!key) return this.askOnce(req);
    const slot = `${req.principal.tenant}\n${req.principal.id}\n${key}`;
    const pending = this.asking.get(slot);
    if (pending) {
      await pending.catch(() => undefined);
      return this.replay(req, key);
    }
    const p = this.askOnce(req, key);
    this.asking.set(slot, p);
    try {
      return await p;
    } finally {
      this.asking.delete(slot);
    }
  }

  /** The first run of an ask with this key, as it stands now (`replayed: true`). */
  private async replay(req: AskRequest, key: string): Promise<AgentRunResult> {
    const first = await firstRunOfAsk(this.host.db, req.principal, key, req.request);
    this.logger.info({ agentRunId: first.id, key }, 'agent ask replayed');
    return { ...(await resultOf(this.host.db, first)), replayed: true };
  }

  private async askOnce(req: AskRequest, key?: string): Promise<AgentRunResult> {
    const now = this.clock();
    const run: AgentRunRecord = {
      id: this.ids('agt'),
      tenant: req.principal.tenant,
      principal: req.principal.id,
      requester: req.principal,
      channel: req.channel ?? 'agent',
      request: req.request.trim(),
      status: 'planning',
      mode: this.mode,
      planVersion: 0,
      criticRounds: 0,
      state: { replans: 0 },
      inputTokens: 0,
      outputTokens: 0,
      costUsd: 0,
      createdAt: now,
      updatedAt: now,
      idempotencyKey: key ?? null,
    };
    if (!run.request) throw new SkillgateError('request.invalid', 'Say what you want done.');
    if (!(await insertAgentRun(this.host.db, run))) return this.replay(req, key!);
    const deps = this.deps(run, req);
    deps.onEvent?.({
      type: 'agent_started',
      agentRunId: run.id,
      ts: now,
      data: { request: run.request, mode: run.mode },
    });
    await this.guard(run, deps, async () => {
      const plan = await makePlan(
        {
          ...deps,
          agentRunId: run.id,
          model: this.models.planner ? { ctx: deps.modelCtx(), prompts: this.prompts } : undefined,
        },
        run.request,
        { version: 1, reason: 'initial' },
      );
      Object.assign(run, { status: 'running', planVersion: 1, goal: plan.plan.goal });
      await updateAgentRun(this.host.db, run.id, { status: 'running', planVersion: 1, goal: plan.plan.goal });
      await driveRun(deps, run, plan);
    });
    return resultOf(this.host.db, (await getAgentRun(this.host.db, run.id))!);
  }

  /**
   * Continues a run paused for approvals, where it stopped: waiting steps are refreshed from their
   * engine runs (approved and executed, denied, expired) and the rest of the plan runs. Exactly one
   * caller resumes a run (an atomic claim); others get its current state. A run still waiting
   * stays paused.
   */
  async resume(
    agentRunId: string,
    opts: Omit<AskRequest, 'principal' | 'request' | 'channel'> = {},
  ): Promise<AgentRunResult> {
    for (let i = 0; i < 5; i++) {
      const run = await claimAgentRun(this.host.db, agentRunId);
      if (!run) {
        const r = await loadAgentResult(this.host.db, agentRunId);
        if (!r)
          throw new SkillgateError('agent.run_not_found', `No agent run "${agentRunId}".`, {
            run: agentRunId,
          });
        return r;
      }
      const deps = this.deps(run, { ...opts, principal: run.requester });
      deps.onEvent?.({
        type: 'resumed',
        agentRunId,
        ts: this.clock(),
        data: { plan_version: run.planVersion },
      });
      let paused = false;
      await this.guard(run, deps, async () => {
        const plan = await currentPlan(this.host.db, run.id, run.planVersion);
        if (!plan)
          throw new SkillgateError(
            'internal.error',
            `Agent run ${run.id} has no valid plan ${run.planVersion}.`,
          );
        paused = (await driveRun(deps, run, { ...plan, version: run.planVersion })) === 'paused';
      });
      // A decision that landed while this resume ran would be lost: look again once paused.
      if (!paused || !(await this.hasDecidedWaits(run.id))) break;
    }
    return (await loadAgentResult(this.host.db, agentRunId))!;
  }

  /**
   * The hook for surfaces after `engine.decide(...)`: if an agent run waits on this approval,
   * resume it once the approved run has finished (or at once when denied or expired). Returns the
   * run's result, or undefined when no agent run waits on the approval.
   */
  async onApprovalDecided(approvalId: string): Promise<AgentRunResult | undefined> {
    const agentRunId = await waitForApprovalOutcome(this.host.db, approvalId);
    return agentRunId ? this.resume(agentRunId) : undefined;
  }

  /** Resumes runs automatically on the engine's approval events. Returns the detach function. */
  attach(): () => void {
    const listener = (e: EngineEvent) => {
      if (e.type !== 'approval_decided' && e.type !== 'approval_expired') return;
      const approvalId = String(e.data.approval ?? '');
      if (approvalId) this.track(this.onApprovalDecided(approvalId));
    };
    this.host.engine.on('event', listener);
    return () => this.host.engine.off('event', listener);
  }

  /** Resumes every paused run whose waits were decided meanwhile (call at start). */
  async resumePending(): Promise<AgentRunResult[]> {
    const out: AgentRunResult[] = [];
    for (const id of await waitingAgentRuns(this.host.db)) {
      if (await this.hasDecidedWaits(id)) out.push(await this.resume(id));
    }
    return out;
  }

  /** Waits until every resume started by `attach` has finished (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.inflight.size) await Promise.allSettled([...this.inflight]);
  }

  private track(p: Promise<unknown>): void {
    const t = p
      .catch((err) => this.logger.error({ err }, 'agent resume failed'))
      .finally(() => this.inflight.delete(t));
    this.inflight.add(t);
  }

  private hasDecidedWaits(agentRunId: string): Promise<boolean> {
    return hasDecidedWaits(this.host.db, agentRunId);
  }

  private deps(run: AgentRunRecord, req: Pick<AskRequest, 'principal' | 'signal' | 'onEvent'>): DriveDeps {
    return driveDeps(this.host, run, req, {
      models: this.models,
      prompts: this.prompts,
      clock: this.clock,
      sleep: this.options.sleep,
      emit: (e) => this.emit('event', e),
    });
  }

  /** Runs a phase; a thrown error (budget, provider, plan) finishes the run as failed with what was done. */
  private async guard(run: AgentRunRecord, deps: DriveDeps, fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      const e = toSkillgateError(err);
      this.logger.info({ agentRunId: run.id, code: e.code }, 'agent run stopped');
      await recordStop(this.host.db, run, e, {
        derivedByModel: !!this.models.executor,
        clock: this.clock,
        onEvent: deps.onEvent,
      });
    }
  }
}

/** Builds the loop for an app (models from `config.models`; offline when none is configured). */
export function createAgentLoop(host: AgentHost, options: AgentLoopOptions = {}): AgentLoop {
  return new AgentLoop(host, options);
}

/** Resumes one paused agent run (e.g. after a restart, once its approvals were decided). */
export function resumeAgentRun(
  host: AgentHost,
  agentRunId: string,
  options: AgentLoopOptions = {},
): Promise<AgentRunResult> {
  return new AgentLoop(host, options).resume(agentRunId);
}
