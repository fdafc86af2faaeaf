import { type ChatButton, type ChatMessage, clamp } from '../chat-message.js';

const COLORS = {
  info: 0x3b82f6,
  success: 0x22c55e,
  warning: 0xf59e0b,
  danger: 0xef4444,
  neutral: 0x6b7280,
} as const;
const STYLE = { primary: 1, secondary: 2, danger: 4 } as const;

/** Discord message flags: only the user who interacted sees it. */
export const EPHEMERAL = 64;

/** The JSON body of a Discord message (REST / interaction responses). */
export interface DiscordMessageBody {
  content?: string;
  embeds: Record<string, unknown>[];
  components: Record<string, unknown>[];
  flags?: number;
  allowed_mentions?: { parse: string[] };
}

/** `sg_approve:apr_...` (custom ids are limited to 100 characters). */
export function customIdOf(b: ChatButton): string {
  return `${b.action}:${b.value}`.slice(0, 100);
}

function rows(buttons: ChatButton[]): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < buttons.length && out.length < 5; i += 5) {
    out.push({
      type: 1,
      components: buttons.slice(i, i + 5).map((b) => ({
        type: 2,
        style: STYLE[b.style ?? 'secondary'],
        label: clamp(b.label, 80),
        custom_id: customIdOf(b),
      })),
    });
  }
  return out;
}

/** An embed with buttons (within Discord's limits: 4096 description, 25 fields of 1024, 5 rows). */
export function toDiscordMessage(msg: ChatMessage): DiscordMessageBody {
  const parts: string[] = [];
  const lines = msg.lines?.length ? msg.lines : msg.title ? [] : [msg.text];
  if (lines.length) parts.push(lines.join('\n'));
  if (msg.code) {
    const label = msg.code.label ? `**${msg.code.label}**\n` : '';
    parts.push(`${label}\`\`\`\n${clamp(msg.code.text.replace(/```/g, "'''"), 3000)}\n\`\`\``);
  }
  const embed: Record<string, unknown> = {
    ...(msg.title ? { title: clamp(msg.title, 256) } : {}),
    description: clamp(parts.join('\n\n') || msg.text, 4096),
    color: COLORS[msg.tone ?? 'neutral'],
    ...(msg.fields?.length
      ? {
          fields: msg.fields
            .slice(0, 25)
            .map((f) => ({ name: clamp(f.label, 256), value: clamp(f.value || '-', 1024), inline: true })),
        }
      : {}),
    ...(msg.footer ? { footer: { text: clamp(msg.footer, 2048) } } : {}),
  };
  return {
    content: '',
    embeds: [embed],
    components: rows(msg.buttons ?? []),
    allowed_mentions: { parse: [] },
  };
}
