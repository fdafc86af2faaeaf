import { App, type BlockAction, type ButtonAction, LogLevel } from '@slack/bolt';
import type { WebClientOptions } from '@slack/web-api';
import type { AskFn } from '../ask-seam.js';
import { type ChatActionId, type ChatMessage, type ChatPlace, isChatAction } from '../chat-message.js';
import { type ChatAppParts, type ChatContext, ChatService } from '../chat-service.js';
import { parseChatCommand } from '../command-grammar.js';
import { errorMessage } from '../format/format-error.js';
import { slackLogger } from '../library-logger.js';
import { toBlocks, toModal, unescapeSlack } from './slack-blocks.js';
import { SlackHttpReceiver } from './slack-http-receiver.js';
import { SlackSurface } from './slack-surface.js';

export interface SlackBotOptions {
  app: ChatAppParts;
  botToken: string;
  /** HTTP mode (events at `/slack/events`): the signing secret. */
  signingSecret?: string;
  /** Socket Mode: the app-level token (`xapp-...`). */
  appToken?: string;
  /** Web API base URL (GovSlack, proxies, tests); default Slack's. Must end with `/`. */
  apiUrl?: string;
  /** The slash command (default `/skillgate`). */
  command?: string;
  ask?: AskFn;
  /** Web API retries (5xx, network, 429 after its Retry-After); default 3, bounded backoff. */
  retries?: number;
}

/** Bounded retries with backoff; 429s wait their `Retry-After` first (the Web API client's own handling). */
function clientOptions(o: SlackBotOptions): WebClientOptions {
  return {
    ...(o.apiUrl ? { slackApiUrl: o.apiUrl.endsWith('/') ? o.apiUrl : `${o.apiUrl}/` } : {}),
    retryConfig: { retries: o.retries ?? 3, factor: 2, minTimeout: 250, maxTimeout: 4000, randomize: true },
    timeout: 15_000,
  };
}

/**
 * The Slack app: Bolt with our chat port behind it. Over HTTP (`receiver.handle` mounted at
 * `/slack/events`) when a signing secret is given, else over Socket Mode with the app token.
 * Every listener acknowledges first and works after; errors reach the user as a short private message.
 */
export class SlackBot {
  readonly bolt: App;
  readonly service: ChatService;
  readonly surface: SlackSurface;
  readonly receiver?: SlackHttpReceiver;
  private readonly ready: Promise<void>;
  private started = false;

  constructor(private readonly o: SlackBotOptions) {
    const logger = slackLogger(o.app.logger);
    const options = clientOptions(o);
    let resolveReady: () => void = () => {};
    let rejectReady: (err: unknown) => void = () => {};
    const ready = new Promise<void>((resolve, reject) => {
      resolveReady = resolve;
      rejectReady = reject;
    });
    ready.catch(() => {});
    if (o.signingSecret) {
      this.receiver = new SlackHttpReceiver({ signingSecret: o.signingSecret, logger: o.app.logger, ready });
      this.bolt = new App({
        token: o.botToken,
        receiver: this.receiver,
        clientOptions: options,
        logger,
        logLevel: LogLevel.INFO,
        deferInitialization: true,
      });
    } else {
      this.bolt = new App({
        token: o.botToken,
        appToken: o.appToken,
        socketMode: true,
        clientOptions: options,
        installerOptions: { clientOptions: options },
        logger,
        logLevel: LogLevel.INFO,
        deferInitialization: true,
      });
    }
    this.ready = ready;
    this.initDone = resolveReady;
    this.initFailed = rejectReady;
    this.surface = new SlackSurface(this.bolt.client);
    this.service = new ChatService({
      app: o.app,
      surface: this.surface,
      ask: o.ask,
      commandName: o.command ?? '/skillgate',
    });
    this.register();
  }

  private readonly initDone: () => void;
  private readonly initFailed: (err: unknown) => void;

  /** Initialises (auth.test), connects (Socket Mode) and starts following approvals. */
  async start(): Promise<void> {
    try {
      await this.bolt.init();
    } catch (err) {
      this.initFailed(err);
      throw err;
    }
    this.initDone();
    if (!this.receiver) await this.bolt.start();
    this.service.start();
    this.started = true;
  }

  async stop(): Promise<void> {
    await this.service.stop();
    if (this.started && !this.receiver) await this.bolt.stop();
    this.started = false;
  }

  /** Waits until `start` initialised the app (HTTP events wait for it too). */
  whenReady(): Promise<void> {
    return this.ready;
  }

  private privately(place: ChatPlace, user: string, respond?: (m: object) => Promise<unknown>) {
    return async (m: ChatMessage) => {
      if (respond) {
        const { text, blocks } = toBlocks(m);
        await respond({ response_type: 'ephemeral', replace_original: false, text, blocks });
      } else {
        await this.surface.ephemeral(place, user, m);
      }
    };
  }

  private register(): void {
    const command = this.o.command ?? '/skillgate';
    this.bolt.command(command, async ({ command: cmd, ack, respond }) => {
      await ack();
      const place = { channel: cmd.channel_id };
      const ctx: ChatContext = {
        user: { id: cmd.user_id, name: cmd.user_name },
        place,
        eventKey: `cmd:${cmd.trigger_id}`,
        replies: { private: this.privately(place, cmd.user_id, respond) },
      };
      let parsed: ReturnType<typeof parseChatCommand>;
      try {
        parsed = parseChatCommand(unescapeSlack(cmd.text ?? ''), 'slack');
      } catch (err) {
        await ctx.replies.private(errorMessage(err));
        return;
      }
      await this.service.command(ctx, parsed);
    });

    this.bolt.event('app_mention', async ({ event, body, context }) => {
      if (!event.user) return;
      const text = unescapeSlack(
        event.text.replace(new RegExp(`<@${context.botUserId ?? ''}>`, 'g'), ''),
      ).trim();
      const place = { channel: event.channel, thread: event.thread_ts ?? event.ts };
      await this.service.mention(
        {
          user: { id: event.user },
          place,
          eventKey: `ev:${body.event_id}`,
          replies: { private: this.privately(place, event.user) },
        },
        text,
      );
    });

    this.bolt.message(async ({ message, body, context }) => {
      if (message.subtype !== undefined || !('thread_ts' in message) || !message.thread_ts) return;
      if (!message.user || message.bot_id) return;
      const raw = message.text ?? '';
      if (context.botUserId && raw.includes(`<@${context.botUserId}>`)) return; // app_mention answers it
      const place = { channel: message.channel, thread: message.thread_ts };
      await this.service.threadMessage(
        {
          user: { id: message.user },
          place,
          eventKey: `ev:${(body as { event_id?: string }).event_id ?? message.ts}`,
          replies: { private: this.privately(place, message.user) },
        },
        unescapeSlack(raw).trim(),
      );
    });

    this.bolt.action<BlockAction<ButtonAction>>(/^sg_/, async ({ ack, body, action, client }) => {
      await ack();
      const id = action.action_id.split(':')[0];
      if (!isChatAction(id)) return;
      const channel = body.channel?.id ?? body.container?.channel_id;
      if (!channel) return;
      const place = { channel, thread: body.message?.thread_ts ?? body.message?.ts };
      await this.service.action(
        {
          user: { id: body.user.id, name: body.user.username },
          place,
          eventKey: `act:${body.container?.message_ts ?? ''}:${action.action_ts}:${body.user.id}`,
          replies: {
            private: this.privately(place, body.user.id),
            details: async (m) => {
              await client.views.open({ trigger_id: body.trigger_id, view: toModal(m) });
            },
          },
        },
        id as ChatActionId,
        action.value ?? '',
      );
    });

    this.bolt.error(async (err) => {
      this.o.app.logger.error(
        { err: { message: err.message, code: (err as { code?: string }).code } },
        'slack listener error',
      );
    });
  }
}
