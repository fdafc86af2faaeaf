import type { WebClient } from '@slack/web-api';
import { SkillgateError } from '../../core/errors.js';
import type { ChatMessage, ChatPlace, ChatSurface, PostedMessage } from '../chat-message.js';
import { toBlocks } from './slack-blocks.js';

/** Turns the Slack errors a user can fix into a message saying how. */
function explain(err: unknown): never {
  const code = (err as { data?: { error?: string } }).data?.error;
  if (code === 'not_in_channel' || code === 'channel_not_found') {
    throw new SkillgateError(
      'request.invalid',
      'Skillgate is not a member of this channel: invite it (`/invite @Skillgate`) and try again.',
      { slack_error: code },
    );
  }
  throw err;
}

/** Posting and editing through the Slack Web API (`chat.postMessage`, `chat.update`). */
export class SlackSurface implements ChatSurface {
  readonly platform = 'slack' as const;

  constructor(private readonly client: WebClient) {}

  async post(place: ChatPlace, message: ChatMessage): Promise<PostedMessage> {
    const r = await this.client.chat
      .postMessage({
        channel: place.channel,
        ...(place.thread ? { thread_ts: place.thread } : {}),
        ...toBlocks(message),
        unfurl_links: false,
      })
      .catch(explain);
    return { channel: r.channel ?? place.channel, messageId: String(r.ts), thread: place.thread };
  }

  async update(ref: PostedMessage, message: ChatMessage): Promise<void> {
    await this.client.chat.update({ channel: ref.channel, ts: ref.messageId, ...toBlocks(message) });
  }

  threadOf(posted: PostedMessage): string | undefined {
    return posted.thread ?? posted.messageId;
  }

  /** A message only `user` sees, in `place` (`chat.postEphemeral`). */
  async ephemeral(place: ChatPlace, user: string, message: ChatMessage): Promise<void> {
    await this.client.chat.postEphemeral({
      channel: place.channel,
      user,
      ...(place.thread ? { thread_ts: place.thread } : {}),
      ...toBlocks(message),
    });
  }
}
