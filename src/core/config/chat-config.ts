import { z } from 'zod';
import { DurationSchema } from '../duration.js';

/** Settings of one chat platform. Tokens are never configured here: they come from env/secrets. */
const PlatformSchema = z.object({
  /**
   * Channel id where approvals created elsewhere (MCP, CLI, webhook, the other chat platform) are
   * posted as cards that can be decided there. None: such approvals are not posted.
   */
  approvals_channel: z.string().min(1).optional(),
  /** API base URL (GovSlack, proxies, tests); env `SKILLGATE_SLACK_API_URL` / `SKILLGATE_DISCORD_API_URL` wins. */
  api_url: z.string().url().optional(),
});

export const SlackChatConfigSchema = PlatformSchema.extend({
  /** `auto` (default): Socket Mode when `SLACK_APP_TOKEN` is set, else HTTP at `/slack/events`. */
  socket_mode: z.enum(['auto', 'on', 'off']).default('auto'),
});

export const DiscordChatConfigSchema = PlatformSchema.extend({
  /** Register the application commands in this guild only (instant); default: globally. */
  guild_id: z.string().min(1).optional(),
});

/**
 * `chat:` — Slack and Discord. Unknown users are governed by the top-level `unknown_principal`.
 * Defaults: no approvals channels, status edits at most every 400 ms, cards of approvals decided
 * or expired in another process reconciled every 15 s, 12 turns of context kept per thread.
 */
export const ChatConfigSchema = z
  .object({
    slack: SlackChatConfigSchema.default({ socket_mode: 'auto' }),
    discord: DiscordChatConfigSchema.default({}),
    /** Minimum time between two edits of a status message (platform rate limits). */
    progress_interval: DurationSchema.default(400),
    /** How often cards are brought in line with approvals decided or expired elsewhere. */
    reconcile_every: DurationSchema.default(15_000),
    /** Turns of a thread session kept as context. */
    session_turns: z.number().int().min(1).max(100).default(12),
  })
  .default({
    slack: { socket_mode: 'auto' },
    discord: {},
    progress_interval: 400,
    reconcile_every: 15_000,
    session_turns: 12,
  });
export type ChatConfig = z.infer<typeof ChatConfigSchema>;

/** The env names the bots read (through the secret store, so their values are redacted everywhere). */
export const CHAT_ENV = {
  slackBotToken: 'SLACK_BOT_TOKEN',
  slackSigningSecret: 'SLACK_SIGNING_SECRET',
  slackAppToken: 'SLACK_APP_TOKEN',
  slackApiUrl: 'SKILLGATE_SLACK_API_URL',
  discordToken: 'DISCORD_TOKEN',
  discordApplicationId: 'DISCORD_APPLICATION_ID',
  discordApiUrl: 'SKILLGATE_DISCORD_API_URL',
} as const;
