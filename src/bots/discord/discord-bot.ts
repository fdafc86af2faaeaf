import {
  type AutocompleteInteraction,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  Client,
  Events,
  GatewayIntentBits,
  type Interaction,
  type Message,
  MessageFlags,
  Routes,
} from 'discord.js';
import type { AskFn } from '../ask-seam.js';
import {
  type ChatActionId,
  type ChatMessage,
  clamp,
  isChatAction,
  type StatusSink,
} from '../chat-message.js';
import { type ChatAppParts, type ChatContext, ChatService } from '../chat-service.js';
import { commandOfInteraction, skillgateCommandDefinition } from './discord-commands.js';
import { toDiscordMessage } from './discord-render.js';
import { DiscordSurface } from './discord-surface.js';

export interface DiscordBotOptions {
  app: ChatAppParts;
  token: string;
  applicationId: string;
  /** REST base URL without the version (`https://discord.com/api`); tests point it at a fake. */
  apiUrl?: string;
  /** Register commands in this guild only (instant); default globally. */
  guildId?: string;
  /** The command name (default `skillgate`). */
  command?: string;
  ask?: AskFn;
  /** REST retries on 5xx/timeouts (429s always wait `retry_after`); default 3. */
  retries?: number;
}

/**
 * The Discord bot: discord.js over the gateway with our chat port behind it. `/skillgate`
 * subcommands (autocomplete for skill ids), buttons, and mentions that open a thread. Every
 * interaction is acknowledged at once (deferred) and answered after.
 */
export class DiscordBot {
  readonly client: Client;
  readonly service: ChatService;
  readonly surface: DiscordSurface;

  constructor(private readonly o: DiscordBotOptions) {
    this.client = new Client({
      intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent],
      rest: { ...(o.apiUrl ? { api: o.apiUrl } : {}), retries: o.retries ?? 3, timeout: 15_000 },
    });
    this.client.rest.setToken(o.token);
    this.surface = new DiscordSurface(this.client.rest);
    this.service = new ChatService({
      app: o.app,
      surface: this.surface,
      ask: o.ask,
      commandName: `/${o.command ?? 'skillgate'}`,
    });
    this.client.on(Events.InteractionCreate, (i) => void this.onInteraction(i));
    this.client.on(Events.MessageCreate, (m) => void this.onMessage(m));
    this.client.on(Events.Error, (err) =>
      o.app.logger.warn({ err: { message: err.message } }, 'discord client error'),
    );
    this.client.rest.on('rateLimited', (info) =>
      o.app.logger.info({ route: info.route, retryAfterMs: info.retryAfter }, 'discord rate limit: waiting'),
    );
  }

  /** Registers the application commands, connects to the gateway and waits until ready. */
  async start(): Promise<void> {
    const body = [skillgateCommandDefinition(this.o.command)];
    const route = this.o.guildId
      ? Routes.applicationGuildCommands(this.o.applicationId, this.o.guildId)
      : Routes.applicationCommands(this.o.applicationId);
    await this.client.rest.put(route, { body });
    const ready = new Promise<void>((resolve) => this.client.once(Events.ClientReady, () => resolve()));
    await this.client.login(this.o.token);
    await ready;
    this.service.start();
  }

  async stop(): Promise<void> {
    await this.service.stop();
    await this.client.destroy();
  }

  private log(err: unknown, what: string): void {
    this.o.app.logger.warn({ err: { message: (err as Error)?.message } }, what);
  }

  private async onInteraction(i: Interaction): Promise<void> {
    try {
      if (i.isAutocomplete()) return await this.autocomplete(i);
      if (i.isChatInputCommand()) return await this.command(i);
      if (i.isButton()) return await this.button(i);
    } catch (err) {
      this.log(err, 'discord interaction failed');
    }
  }

  private async autocomplete(i: AutocompleteInteraction): Promise<void> {
    const typed = String(i.options.getFocused() ?? '').toLowerCase();
    const skills = this.o.app.registry
      .list({ publicOnly: true })
      .filter((s) => s.id.includes(typed) || s.spec.title.toLowerCase().includes(typed))
      .slice(0, 25);
    await i.respond(skills.map((s) => ({ name: clamp(`${s.id} — ${s.spec.title}`, 100), value: s.id })));
  }

  /** Private replies of an interaction already deferred (the first edits the deferred reply when ephemeral). */
  private privately(i: ChatInputCommandInteraction | ButtonInteraction, editFirst: boolean) {
    let first = editFirst;
    return async (m: ChatMessage) => {
      const body = toDiscordMessage(m);
      if (first) {
        first = false;
        await i.editReply({ embeds: body.embeds as never, components: body.components as never });
      } else {
        await i.followUp({
          embeds: body.embeds as never,
          components: body.components as never,
          flags: MessageFlags.Ephemeral,
        });
      }
    };
  }

  private async command(i: ChatInputCommandInteraction): Promise<void> {
    const cmd = commandOfInteraction(i);
    const inPublic = cmd.kind === 'run' || cmd.kind === 'ask';
    await i.deferReply(inPublic ? {} : { flags: MessageFlags.Ephemeral });
    let shown = false;
    const status: StatusSink | undefined = inPublic
      ? {
          show: async (m) => {
            shown = true;
            const body = toDiscordMessage(m);
            const msg = await i.editReply({
              embeds: body.embeds as never,
              components: body.components as never,
            });
            return { channel: msg.channelId, messageId: msg.id };
          },
        }
      : undefined;
    const privately = this.privately(i, !inPublic);
    // A public command refused before it showed anything: drop the "thinking" reply, answer privately.
    const replyPrivately = async (m: ChatMessage) => {
      if (inPublic && !shown) {
        shown = true;
        await i.deleteReply().catch(() => {});
      }
      await privately(m);
    };
    const thread = i.channel?.isThread() ? i.channelId : undefined;
    const ctx: ChatContext = {
      user: { id: i.user.id, name: i.user.username },
      place: { channel: i.channelId, thread },
      eventKey: `int:${i.id}`,
      replies: { private: replyPrivately, status },
    };
    await this.service.command(ctx, cmd);
  }

  private async button(i: ButtonInteraction): Promise<void> {
    const [id, ...rest] = i.customId.split(':');
    if (!isChatAction(id)) return;
    await i.deferUpdate();
    const thread = i.channel?.isThread() ? i.channelId : undefined;
    const reply = this.privately(i, false);
    await this.service.action(
      {
        user: { id: i.user.id, name: i.user.username },
        place: { channel: i.channelId, thread },
        eventKey: `int:${i.id}`,
        replies: { private: reply, details: reply },
      },
      id as ChatActionId,
      rest.join(':'),
    );
  }

  private async onMessage(m: Message): Promise<void> {
    try {
      const me = this.client.user;
      if (!me || m.author.bot || !m.inGuild()) return;
      const mentioned = m.mentions.users.has(me.id);
      const text = m.content.replace(new RegExp(`<@!?${me.id}>`, 'g'), '').trim();
      if (!mentioned) {
        if (!m.channel.isThread()) return;
        await this.service.threadMessage(this.messageContext(m, m.channelId), text);
        return;
      }
      let threadId = m.channelId;
      if (!m.channel.isThread()) {
        const thread = await m.startThread({ name: clamp(text || 'Skillgate', 90) });
        threadId = thread.id;
      }
      await this.service.mention(this.messageContext(m, threadId), text);
    } catch (err) {
      this.log(err, 'discord message failed');
    }
  }

  /** Messages have no ephemeral replies: private answers go to the thread, addressed to the user. */
  private messageContext(m: Message, threadId: string): ChatContext {
    return {
      user: { id: m.author.id, name: m.author.username },
      place: { channel: threadId, thread: threadId },
      eventKey: `msg:${m.id}`,
      replies: {
        private: async (msg) => {
          await this.surface.post(
            { channel: threadId },
            { ...msg, lines: [`<@${m.author.id}>`, ...(msg.lines ?? [])] },
          );
        },
      },
    };
  }
}
