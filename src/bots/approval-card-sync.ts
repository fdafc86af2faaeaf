import type { Logger } from 'pino';
import type { ApprovalRecord } from '../core/approvals/approval-record.js';
import { addApprovalMessage, getApproval } from '../core/approvals/approval-store.js';
import type { Engine } from '../core/engine.js';
import type { EngineEvent } from '../core/events.js';
import type { RunRecord } from '../core/records/run-record.js';
import { getRun } from '../core/records/run-store.js';
import type { RunErrorInfo, RunResult } from '../core/run-request.js';
import type { Db } from '../db/db.js';
import type { ChatPlace, ChatSurface, PostedMessage } from './chat-message.js';
import { approvalCard, cardState } from './format/approval-card.js';
import type { Redact } from './format/format-error.js';
import { resultMessage } from './format/format-result.js';
import { pollUntil } from './poll-until.js';
import { type CardRef, cardsOf, claimCardStatus, type StoredCard, staleCards } from './store/card-store.js';

export interface ApprovalCardSyncOptions {
  db: Db;
  engine: Engine;
  surface: ChatSurface;
  logger: Logger;
  redact: Redact;
  /** Channel for approvals requested elsewhere (MCP, CLI, webhooks, the other platform); none: not posted. */
  approvalsChannel?: string;
  clock?: () => Date;
}

const FINISHED = new Set(['executed', 'failed']);

/** A stored run as the result shape chat formats. */
export function resultOfRecord(run: RunRecord): RunResult {
  return {
    runId: run.id,
    requestId: run.requestId,
    status: run.status,
    skill: run.skillId ?? undefined,
    output: run.output,
    preview: run.preview,
    error: run.error as RunErrorInfo | undefined,
    costUsd: run.costUsd,
    durationMs: run.durationMs ?? 0,
  };
}

/**
 * Keeps every card of an approval (on one platform) in line with the approval: decisions, who made
 * them, expiry, execution. Each state change is claimed in the database (`approval_messages.ref`),
 * so on several replicas a card is edited and the run's result posted exactly once. Listens to the
 * engine's events in this process; `reconcile` catches changes made by other processes.
 */
export class ApprovalCardSync {
  private readonly chains = new Map<string, Promise<void>>();
  /** Runs approved here whose execution result should refresh the cards. */
  private readonly awaitingRun = new Map<string, string>();
  private readonly clock: () => Date;

  constructor(private readonly o: ApprovalCardSyncOptions) {
    this.clock = o.clock ?? (() => new Date());
  }

  /** Posts the card of `a` at `place` and records it; `origin`: in the requester's thread (results go there). */
  async postCard(a: ApprovalRecord, place: ChatPlace, origin: boolean): Promise<PostedMessage> {
    const posted = await this.o.surface.post(place, approvalCard(a, this.clock(), this.o.redact));
    const ref: CardRef = {
      platform: this.o.surface.platform,
      channel: posted.channel,
      messageId: posted.messageId,
      thread: place.thread ?? this.o.surface.threadOf(posted),
      rendered: cardState(a),
      origin,
    };
    await addApprovalMessage(this.o.db, a.id, this.o.surface.platform, ref);
    return posted;
  }

  /**
   * Brings the cards of `approvalId` up to date (serialised per approval). When the run finished,
   * its result is posted once, in the requester's thread (or under the card when there is none).
   */
  sync(approvalId: string, run?: RunResult): Promise<void> {
    const prev = this.chains.get(approvalId) ?? Promise.resolve();
    const next = prev
      .then(() => this.syncNow(approvalId, run))
      .catch((err) => this.o.logger.warn({ err, approval: approvalId }, 'updating approval cards failed'));
    this.chains.set(approvalId, next);
    void next.finally(() => {
      if (this.chains.get(approvalId) === next) this.chains.delete(approvalId);
    });
    return next;
  }

  /** Waits for every card update in flight (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.chains.size) await Promise.all([...this.chains.values()]);
  }

  private async syncNow(approvalId: string, run?: RunResult): Promise<void> {
    const a = await getApproval(this.o.db, approvalId);
    if (!a) return;
    const cards = await cardsOf(this.o.db, approvalId, this.o.surface.platform);
    if (!cards.length) return;
    const state = cardState(a);
    const origins = cards.filter((c) => c.ref.origin);
    const resultTargets = new Set<StoredCard>(origins.length ? origins : cards.slice(0, 1));
    for (const card of cards) {
      if (!(await claimCardStatus(this.o.db, card.id, state))) continue;
      const at: PostedMessage = {
        channel: card.ref.channel,
        messageId: card.ref.messageId,
        thread: card.ref.thread,
      };
      await this.o.surface
        .update(at, approvalCard(a, this.clock(), this.o.redact))
        .catch((err) => this.o.logger.warn({ err, approval: a.id }, 'editing an approval card failed'));
      if (FINISHED.has(a.status) && resultTargets.has(card)) {
        const result =
          run ?? (await getRun(this.o.db, a.runId).then((r) => (r ? resultOfRecord(r) : undefined)));
        if (result) {
          await this.o.surface.post(
            { channel: card.ref.channel, thread: card.ref.thread ?? this.o.surface.threadOf(at) },
            resultMessage(result, { redact: this.o.redact }),
          );
        }
      }
    }
  }

  /** Updates the cards whose approval moved on in another process; returns how many approvals. */
  async reconcile(): Promise<number> {
    const stale = await staleCards(this.o.db, this.o.surface.platform);
    const ids = [...new Set(stale.map((c) => c.approvalId))];
    for (const id of ids) await this.sync(id);
    return ids.length;
  }

  /** Follows the engine's events; returns the function that stops following them. */
  attach(): () => void {
    const listener = (e: EngineEvent) => this.onEvent(e);
    this.o.engine.on('event', listener);
    return () => this.o.engine.off('event', listener);
  }

  private onEvent(e: EngineEvent): void {
    const approvalId = typeof e.data.approval === 'string' ? e.data.approval : undefined;
    if (e.type === 'approval_requested' && approvalId && this.o.approvalsChannel) {
      void this.postElsewhere(approvalId);
    } else if ((e.type === 'approval_decided' || e.type === 'approval_expired') && approvalId) {
      // Approved: the run starts now; refresh the cards once it started, not in its way.
      if (e.data.status === 'approved' && e.runId) this.awaitingRun.set(e.runId, approvalId);
      else void this.sync(approvalId);
    } else if (e.type === 'execution_started' && e.runId && this.awaitingRun.has(e.runId)) {
      void this.sync(this.awaitingRun.get(e.runId)!);
    } else if (e.type === 'execution_result' && e.runId && this.awaitingRun.has(e.runId)) {
      const id = this.awaitingRun.get(e.runId)!;
      this.awaitingRun.delete(e.runId);
      // The event comes just before the run and approval are recorded: wait for the approval to finish.
      void pollUntil(async () => {
        const a = await getApproval(this.o.db, id);
        return !a || FINISHED.has(a.status) || a.status === 'denied' ? true : undefined;
      }).then(() => this.sync(id));
    }
  }

  /** Posts an approval requested on another surface to the approvals channel. */
  private async postElsewhere(approvalId: string): Promise<void> {
    try {
      // The event is emitted just before the approval's transaction commits.
      const a = await pollUntil(() => getApproval(this.o.db, approvalId));
      if (!a || a.channel === this.o.surface.platform || a.status !== 'pending') return;
      await this.postCard(a, { channel: this.o.approvalsChannel! }, false);
    } catch (err) {
      this.o.logger.warn(
        { err, approval: approvalId },
        'posting the approval to the approvals channel failed',
      );
    }
  }
}
