import type { Block, KnownBlock, View } from '@slack/types';
import { type ChatButton, type ChatMessage, clamp } from '../chat-message.js';

/** Escapes the three characters Slack mrkdwn treats specially. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Undoes Slack's escaping of incoming text (`&amp;`, `&lt;`, `&gt;`). */
export function unescapeSlack(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

function buttonsBlocks(buttons: ChatButton[]): KnownBlock[] {
  const blocks: KnownBlock[] = [];
  for (let i = 0; i < buttons.length; i += 5) {
    blocks.push({
      type: 'actions',
      elements: buttons.slice(i, i + 5).map((b, j) => ({
        type: 'button' as const,
        // Unique per message: Slack rejects repeated action ids; the prefix names the action.
        action_id: `${b.action}:${i + j}`,
        value: b.value.slice(0, 2000),
        text: { type: 'plain_text' as const, text: clamp(b.label, 75), emoji: true },
        ...(b.style ? { style: b.style } : {}),
      })),
    });
  }
  return blocks;
}

/** Block Kit for a chat message (within Slack's limits: 3000-char sections, 10 fields, 50 blocks). */
export function toBlocks(msg: ChatMessage): { text: string; blocks: (Block | KnownBlock)[] } {
  const blocks: KnownBlock[] = [];
  if (msg.title)
    blocks.push({ type: 'header', text: { type: 'plain_text', text: clamp(msg.title, 150), emoji: true } });
  const lines = msg.lines?.length ? msg.lines : msg.title ? [] : [msg.text];
  if (lines.length) {
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: clamp(escapeMrkdwn(lines.join('\n')), 3000) },
    });
  }
  if (msg.fields?.length) {
    blocks.push({
      type: 'section',
      fields: msg.fields.slice(0, 10).map((f) => ({
        type: 'mrkdwn' as const,
        text: clamp(`*${escapeMrkdwn(f.label)}*\n${escapeMrkdwn(f.value)}`, 2000),
      })),
    });
  }
  if (msg.code) {
    const label = msg.code.label ? `*${escapeMrkdwn(msg.code.label)}*\n` : '';
    const body = clamp(escapeMrkdwn(msg.code.text.replace(/```/g, "'''")), 2900 - label.length);
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `${label}\`\`\`${body}\`\`\`` } });
  }
  if (msg.footer)
    blocks.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: clamp(escapeMrkdwn(msg.footer), 2000) }],
    });
  if (msg.buttons?.length) blocks.push(...buttonsBlocks(msg.buttons));
  return { text: clamp(msg.text, 3000), blocks: blocks.slice(0, 50) };
}

/** A modal view (Details). */
export function toModal(msg: ChatMessage): View {
  const { blocks } = toBlocks({ ...msg, title: undefined, buttons: undefined });
  return {
    type: 'modal',
    title: { type: 'plain_text', text: clamp(msg.title ?? 'Skillgate', 24) },
    close: { type: 'plain_text', text: 'Close' },
    blocks,
  };
}
