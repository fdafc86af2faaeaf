import { SkillgateError } from '../core/errors.js';
import type { Principal } from '../core/principal.js';
import { parseKeyValues } from '../tools/parse-key-values.js';
import { ApprovalCardSync } from './approval-card-sync.js';
import { type AskFn, defaultAsk } from './ask-seam.js';
import { handleAction } from './chat-actions.js';
import type { ChatAppParts, ChatContext, ChatDeps } from './chat-deps.js';
import { answerInfo } from './chat-info.js';
import type { ChatActionId, ChatSurface, ChatUser } from './chat-message.js';
import type { ChatCommand } from './command-grammar.js';
import { errorMessage } from './format/format-error.js';
import { helpMessage } from './format/format-lists.js';
import { askInWords, runInChat } from './run-in-chat.js';
import { claimChatEvent, pruneChatEvents } from './store/event-claims.js';
import { principalForChatUser } from './store/identity-store.js';
import { findSession } from './store/session-store.js';

export type { ChatAppParts, ChatContext } from './chat-deps.js';

export interface ChatServiceOptions {
  app: ChatAppParts;
  surface: ChatSurface;
  /** Requests in words; default the app's agent loop (`defaultAsk`). */
  ask?: AskFn;
  /** How users type the command, for help texts (default `/skillgate`). */
  commandName?: string;
  /** Channel for approvals requested elsewhere; default `config.chat.<platform>.approvals_channel`. */
  approvalsChannel?: string;
  clock?: () => Date;
}

/**
 * The chat port, written once for Slack and Discord: commands, mentions and thread follow-ups,
 * approval and feedback buttons. Every delivery is claimed once (`chat_events`) and every run goes
 * through the engine with the delivery's idempotency key, so retries and duplicates never run
 * twice. Handlers never throw: errors reach the user as a short private message (code + what to do).
 */
export class ChatService {
  readonly cards: ApprovalCardSync;
  readonly platform: 'slack' | 'discord';
  private readonly deps: ChatDeps;
  private readonly inflight = new Set<Promise<void>>();
  private detach?: () => void;
  private timer?: NodeJS.Timeout;

  constructor(private readonly o: ChatServiceOptions) {
    this.platform = o.surface.platform;
    const clock = o.clock ?? (() => new Date());
    const redact = (t: string) => o.app.secrets.redact(t);
    this.cards = new ApprovalCardSync({
      db: o.app.db,
      engine: o.app.engine,
      surface: o.surface,
      logger: o.app.logger,
      redact,
      approvalsChannel: o.approvalsChannel ?? o.app.config.chat[this.platform].approvals_channel,
      clock,
    });
    this.deps = {
      app: o.app,
      surface: o.surface,
      cards: this.cards,
      ask: o.ask ?? defaultAsk(o.app),
      platform: this.platform,
      commandName: o.commandName ?? '/skillgate',
      clock,
      redact,
    };
  }

  /**
   * Follows engine events (card updates, approvals channel); every `chat.reconcile_every` reconciles
   * cards changed by other processes and forgets handled deliveries older than a day.
   */
  start(): void {
    this.detach ??= this.cards.attach();
    const every = this.o.app.config.chat.reconcile_every;
    if (!this.timer && every > 0) {
      this.timer = setInterval(() => {
        this.cards
          .reconcile()
          .catch((err) => this.o.app.logger.warn({ err }, 'reconciling approval cards failed'));
        pruneChatEvents(this.o.app.db, this.deps.clock()).catch((err) =>
          this.o.app.logger.warn({ err }, 'pruning handled chat events failed'),
        );
      }, every);
      this.timer.unref();
    }
  }

  /** Stops following events; waits for the work in flight. */
  async stop(): Promise<void> {
    this.detach?.();
    this.detach = undefined;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.idle();
  }

  /** Resolves when every interaction being handled and every card update has finished. */
  async idle(): Promise<void> {
    while (this.inflight.size) await Promise.all([...this.inflight]);
    await this.cards.idle();
  }

  /** The principal of a chat user (linked, viewer, or none per `unknown_principal`). */
  principalOf(user: ChatUser): Promise<Principal | undefined> {
    return principalForChatUser(this.o.app.db, this.o.app.config, this.platform, user.id, user.name);
  }

  /** A slash command. */
  command(ctx: ChatContext, cmd: ChatCommand): Promise<void> {
    return this.handle(ctx, async () => {
      if (cmd.kind === 'help') {
        const p = await this.principalOf(ctx.user);
        return ctx.replies.private(helpMessage(this.deps.commandName, p?.id));
      }
      const principal = await this.requirePrincipal(ctx);
      if (!principal) return;
      if (cmd.kind === 'run') {
        const skill = this.o.app.registry.get(cmd.skill);
        const input = parseKeyValues(cmd.args, skill?.spec.input ?? { type: 'object', properties: {} });
        return runInChat(this.deps, ctx, principal, {
          kind: 'skill',
          skill: cmd.skill,
          input,
          text: `run ${cmd.skill}`,
        });
      }
      if (cmd.kind === 'ask') return askInWords(this.deps, ctx, principal, cmd.request);
      return answerInfo(this.deps, ctx, principal, cmd);
    });
  }

  /** The bot was mentioned (`ctx.place.thread`: the thread to answer in, or absent to open one). */
  mention(ctx: ChatContext, text: string): Promise<void> {
    return this.handle(ctx, async () => {
      const principal = await this.requirePrincipal(ctx);
      if (principal) await askInWords(this.deps, ctx, principal, text);
    });
  }

  /** A message in a thread without a mention: answered only when the thread is a session. */
  async threadMessage(ctx: ChatContext, text: string): Promise<boolean> {
    if (!ctx.place.thread) return false;
    const where = { platform: this.platform, channelId: ctx.place.channel, threadId: ctx.place.thread };
    if (!(await findSession(this.o.app.db, where))) return false;
    await this.mention(ctx, text);
    return true;
  }

  /** A button click on a card or a result. */
  action(ctx: ChatContext, action: ChatActionId, value: string): Promise<void> {
    return this.handle(ctx, async () => {
      const principal = await this.requirePrincipal(ctx);
      if (principal) await handleAction(this.deps, ctx, principal, action, value);
    });
  }

  private async requirePrincipal(ctx: ChatContext): Promise<Principal | undefined> {
    const p = await this.principalOf(ctx.user);
    if (!p) {
      const err = new SkillgateError(
        'auth.unknown_principal',
        `Your ${this.platform} account (${ctx.user.id}) is not linked to a Skillgate principal.`,
      );
      await ctx.replies.private(errorMessage(err, this.deps.redact, 'Not linked'));
    }
    return p;
  }

  /**
   * Claims the delivery (a retry or duplicate stops here), runs `fn` tracked for `idle`, and turns
   * any error into a short private message.
   */
  private handle(ctx: ChatContext, fn: () => Promise<void>): Promise<void> {
    const p = (async () => {
      try {
        if (!(await claimChatEvent(this.o.app.db, this.platform, ctx.eventKey))) return;
        await fn();
      } catch (err) {
        if (!(err instanceof SkillgateError)) {
          this.o.app.logger.error({ err, eventKey: ctx.eventKey }, 'chat handler failed');
        }
        await ctx.replies
          .private(errorMessage(err, this.deps.redact))
          .catch((e) => this.o.app.logger.warn({ err: e }, 'replying with an error failed'));
      }
    })();
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p));
    return p;
  }
}
