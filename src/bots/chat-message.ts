import type { ChatPlatform } from './store/identity-store.js';

/** Button actions of every card and result; the ids are part of the wire format of both platforms. */
export const CHAT_ACTIONS = {
  approve: 'sg_approve',
  deny: 'sg_deny',
  details: 'sg_details',
  feedbackUp: 'sg_fb_up',
  feedbackWrong: 'sg_fb_wrong',
  /** The skill that should have run, picked after "wrong skill" (value `<target>:<skill id>`). */
  feedbackPick: 'sg_fb_pick',
} as const;
export type ChatActionId = (typeof CHAT_ACTIONS)[keyof typeof CHAT_ACTIONS];

const ACTION_IDS = new Set<string>(Object.values(CHAT_ACTIONS));

export function isChatAction(id: string): id is ChatActionId {
  return ACTION_IDS.has(id);
}

export interface ChatButton {
  action: ChatActionId;
  /**
   * An approval id; for feedback a run id, an agent run id or `<agent run>:<step id>`, and for the
   * picker that target followed by `:<skill id>`.
   */
  value: string;
  label: string;
  style?: 'primary' | 'danger';
}

export interface ChatField {
  label: string;
  value: string;
}

/**
 * A platform-neutral message: each platform renders it once (Block Kit, embeds + components).
 * Text is plain with inline `code`; no platform markup.
 */
export interface ChatMessage {
  /** One-line summary: notification and fallback text. */
  text: string;
  title?: string;
  tone?: 'info' | 'success' | 'warning' | 'danger' | 'neutral';
  lines?: string[];
  fields?: ChatField[];
  /** A preformatted block (output, preview). */
  code?: { label?: string; text: string };
  footer?: string;
  buttons?: ChatButton[];
}

/** Where to post: a channel, and in Slack the thread (`thread_ts`); Discord threads are channels. */
export interface ChatPlace {
  channel: string;
  thread?: string;
}

/** A message we posted (to edit it later). */
export interface PostedMessage {
  channel: string;
  /** Slack `ts`, Discord message id. */
  messageId: string;
  thread?: string;
}

/** What the chat layer needs from a platform to post and edit messages on its own. */
export interface ChatSurface {
  readonly platform: ChatPlatform;
  post(place: ChatPlace, message: ChatMessage): Promise<PostedMessage>;
  update(ref: PostedMessage, message: ChatMessage): Promise<void>;
  /** The thread that replies to `posted` belong to (Slack: its ts; Discord: its thread, if any). */
  threadOf(posted: PostedMessage): string | undefined;
}

/** Where a status message is shown and edited. */
export interface StatusSink {
  show(message: ChatMessage): Promise<PostedMessage | undefined>;
}

/** Replies bound to one incoming interaction (slash command, click, mention). */
export interface ChatReplies {
  /** A message only this user sees (Slack ephemeral, Discord ephemeral follow-up). */
  private(message: ChatMessage): Promise<void>;
  /** A details view (Slack modal); default `private`. */
  details?(message: ChatMessage): Promise<void>;
  /** The interaction's own status message, when the platform gives one (Discord's deferred reply). */
  status?: StatusSink;
}

export interface ChatUser {
  id: string;
  name?: string;
}

/** Cuts text to `max` characters with an ellipsis. */
export function clamp(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}
