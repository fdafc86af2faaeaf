import type { SkillgateApp } from '../core/app.js';
import { CHAT_ENV } from '../core/config/chat-config.js';
import type { HttpMount } from '../server/http-app.js';
import type { AskFn } from './ask-seam.js';
import type { DiscordBot } from './discord/discord-bot.js';
import type { SlackBot } from './slack/slack-bot.js';

export interface ChatBotsOptions {
  /** Requests in words; default the app's agent loop (`defaultAsk`). */
  ask?: AskFn;
  /** Where the API base URL variables are read (default `process.env`); tokens come from the secret store. */
  env?: NodeJS.ProcessEnv;
}

/**
 * The bots that were configured. A bot's package (`@slack/bolt`, `discord.js`) is imported only
 * when its tokens are set, so `slack` / `discord` are filled in once that import finished: at the
 * latest when `started` resolves (each bot finished starting, or failed, logged).
 */
export interface ChatBots {
  slack?: SlackBot;
  discord?: DiscordBot;
  /** True when Slack is configured over HTTP: `POST /slack/events` must be mounted. */
  slackHttp: boolean;
  /** Resolves once the configured bots are constructed (packages imported); never rejects. */
  loaded: Promise<void>;
  started: Promise<void>;
  stop(): Promise<void>;
}

/**
 * Creates and starts each chat bot whose tokens are configured (env or `$SKILLGATE_HOME/secrets/.env`),
 * logging a clear "skipped" line for the others:
 * - Slack: `SLACK_BOT_TOKEN` plus `SLACK_APP_TOKEN` (Socket Mode) or `SLACK_SIGNING_SECRET` (HTTP at
 *   `/slack/events`); `chat.slack.socket_mode` picks when both are set (`auto`: Socket Mode).
 * - Discord: `DISCORD_TOKEN` and `DISCORD_APPLICATION_ID` (gateway).
 * API base URLs: `SKILLGATE_SLACK_API_URL` / `SKILLGATE_DISCORD_API_URL`, else `chat.<platform>.api_url`.
 */
export function createChatBots(app: SkillgateApp, options: ChatBotsOptions = {}): ChatBots {
  const secret = (name: string) => app.secrets.get(name) || undefined;
  const env = options.env ?? process.env;
  const chat = app.config.chat;
  const log = app.logger.child({ component: 'chat' });
  const bots: Pick<ChatBots, 'slack' | 'discord'> = {};
  const loading: Promise<void>[] = [];
  const load = (name: string, build: () => Promise<void>) =>
    loading.push(
      build().catch((err: Error) => log.error({ err: { message: err.message } }, `${name} failed to start`)),
    );

  const botToken = secret(CHAT_ENV.slackBotToken);
  const appToken = secret(CHAT_ENV.slackAppToken);
  const signingSecret = secret(CHAT_ENV.slackSigningSecret);
  const mode = chat.slack.socket_mode;
  const socket = mode === 'on' || (mode === 'auto' && !!appToken);
  if (!botToken || (socket ? !appToken : !signingSecret)) {
    log.info(
      `Slack skipped: set ${CHAT_ENV.slackBotToken} plus ${CHAT_ENV.slackSigningSecret} (HTTP at /slack/events) or ${CHAT_ENV.slackAppToken} (Socket Mode) to enable it`,
    );
  } else {
    load('Slack', async () => {
      const { SlackBot } = await import('./slack/slack-bot.js');
      bots.slack = new SlackBot({
        app,
        botToken,
        appToken: socket ? appToken : undefined,
        signingSecret: socket ? undefined : signingSecret,
        apiUrl: env[CHAT_ENV.slackApiUrl] || chat.slack.api_url,
        ask: options.ask,
      });
    });
  }

  const discordToken = secret(CHAT_ENV.discordToken);
  const applicationId = secret(CHAT_ENV.discordApplicationId);
  if (!discordToken || !applicationId) {
    log.info(
      `Discord skipped: set ${CHAT_ENV.discordToken} and ${CHAT_ENV.discordApplicationId} to enable it`,
    );
  } else {
    load('Discord', async () => {
      const { DiscordBot } = await import('./discord/discord-bot.js');
      bots.discord = new DiscordBot({
        app,
        token: discordToken,
        applicationId,
        apiUrl: env[CHAT_ENV.discordApiUrl] || chat.discord.api_url,
        guildId: chat.discord.guild_id,
        ask: options.ask,
      });
    });
  }

  const starting = (name: string, bot: { start(): Promise<void> } | undefined) =>
    bot
      ?.start()
      .then(() => log.info(`${name} started`))
      .catch((err: Error) => log.error({ err: { message: err.message } }, `${name} failed to start`));
  const loaded = Promise.all(loading).then(() => {
    Object.assign(out, bots);
  });
  const out: ChatBots = {
    slackHttp: !!botToken && !socket && !!signingSecret,
    loaded,
    started: loaded.then(() =>
      Promise.all([
        starting(out.slack?.receiver ? 'Slack (HTTP /slack/events)' : 'Slack (Socket Mode)', out.slack),
        starting('Discord (gateway)', out.discord),
      ]).then(() => undefined),
    ),
    async stop() {
      await out.started;
      await Promise.all(
        [out.slack?.stop(), out.discord?.stop()].map((p) =>
          p?.catch((err) => log.warn({ err }, 'stopping a chat bot failed')),
        ),
      );
    },
  };
  return out;
}

/**
 * The HTTP mount `skillgate serve` uses: starts the configured bots with the server, mounts
 * `POST /slack/events` when Slack runs over HTTP, and stops the bots when the server closes.
 */
export function chatBotsMount(options: ChatBotsOptions = {}): HttpMount {
  return (hono, app) => {
    const bots = createChatBots(app, options);
    if (bots.slackHttp) {
      hono.post('/slack/events', async (c) => {
        await bots.loaded;
        const receiver = bots.slack?.receiver;
        return receiver ? receiver.handle(c) : c.text('Slack is not available', 503);
      });
    }
    return () => bots.stop();
  };
}
