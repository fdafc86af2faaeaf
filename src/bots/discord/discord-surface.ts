import { type REST, Routes } from 'discord.js';
import type { ChatMessage, ChatPlace, ChatSurface, PostedMessage } from '../chat-message.js';
import { toDiscordMessage } from './discord-render.js';

/**
 * Posting and editing through Discord's REST API (so that cards stay editable after restarts and
 * interaction tokens expire). Discord threads are channels: `place.channel` is the thread.
 * Rate limits are honoured by discord.js's REST queue (it waits `retry_after` and retries).
 */
export class DiscordSurface implements ChatSurface {
  readonly platform = 'discord' as const;

  constructor(private readonly rest: REST) {}

  async post(place: ChatPlace, message: ChatMessage): Promise<PostedMessage> {
    const r = (await this.rest.post(Routes.channelMessages(place.channel), {
      body: toDiscordMessage(message),
    })) as {
      id: string;
      channel_id: string;
    };
    return { channel: r.channel_id ?? place.channel, messageId: r.id };
  }

  async update(ref: PostedMessage, message: ChatMessage): Promise<void> {
    await this.rest.patch(Routes.channelMessage(ref.channel, ref.messageId), {
      body: toDiscordMessage(message),
    });
  }

  threadOf(posted: PostedMessage): string | undefined {
    return posted.thread;
  }
}
