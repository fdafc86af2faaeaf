import { z } from 'zod';
import { SkillgateError } from '../core/errors.js';
import type { ChatPlatform } from './store/identity-store.js';

/** A chat command, the same on every platform (Slack text, Discord options). */
export const ChatCommandSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('run'), skill: z.string().min(1), args: z.array(z.string()).default([]) }),
  z.object({ kind: z.literal('ask'), request: z.string().min(1).max(4000) }),
  z.object({ kind: z.literal('skills'), query: z.string().optional() }),
  z.object({ kind: z.literal('approvals') }),
  z.object({ kind: z.literal('status'), runId: z.string().min(1) }),
  z.object({ kind: z.literal('help') }),
  z.object({
    kind: z.literal('users'),
    action: z.enum(['list', 'link', 'unlink']),
    /** `slack:U123` / `discord:123`. */
    user: z.string().optional(),
    principal: z.string().optional(),
  }),
]);
export type ChatCommand = z.infer<typeof ChatCommandSchema>;

/** Usage lines, shown by `help` and with every grammar error. */
export const COMMAND_USAGE = [
  'run <skill> key=value ...   run a skill by id',
  'ask <request>               ask in words; Skillgate picks the skill',
  'skills [query]              list skills, or those matching a query',
  'approvals                   pending approvals you can decide',
  'status <run>                a run and its result',
  'users list | link <user> <principal> | unlink <user>   (admins) chat identities',
  'help                        this text',
];

/**
 * Splits command text into words: whitespace separates, "double" or 'single' quotes group (also
 * inside `key="two words"`), typographic quotes count as quotes.
 */
export function tokenize(text: string): string[] {
  const s = text.replace(/[\u201c\u201d]/g, '"').replace(/[\u2018\u2019]/g, "'");
  const out: string[] = [];
  let cur = '';
  let quote: string | undefined;
  let has = false;
  for (const ch of s) {
    if (quote) {
      if (ch === quote) quote = undefined;
      else cur += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      has = true;
    } else if (/\s/.test(ch)) {
      if (has || cur) out.push(cur);
      cur = '';
      has = false;
    } else {
      cur += ch;
      has = true;
    }
  }
  if (has || cur) out.push(cur);
  return out;
}

/** `<@U123|name>` / `<@123>` / `@U123` -> `<platform>:U123`; other words unchanged. */
export function normalizeUserWord(word: string, platform: ChatPlatform): string {
  const m = /^<?@!?([A-Za-z0-9]+)(\|[^>]*)?>?$/.exec(word);
  return m ? `${platform}:${m[1]}` : word;
}

function usageError(message: string): SkillgateError {
  return new SkillgateError(
    'request.invalid',
    `${message} Usage: ${COMMAND_USAGE.map((l) => l.split('  ')[0]).join(' | ')}`,
  );
}

/**
 * Parses the text after `/skillgate`. An empty text is `help`; an unknown first word is taken as a
 * request in words (`/skillgate restart the api` = `ask`). Throws `request.invalid` with the usage.
 */
export function parseChatCommand(text: string, platform: ChatPlatform): ChatCommand {
  const trimmed = text.trim();
  const words = tokenize(trimmed);
  const verb = (words[0] ?? 'help').toLowerCase();
  const rest = words.slice(1);
  const restText = trimmed.slice(trimmed.toLowerCase().indexOf(verb) + verb.length).trim();
  switch (verb) {
    case 'help':
      return { kind: 'help' };
    case 'run':
      if (!rest[0]) throw usageError('Name the skill to run.');
      return { kind: 'run', skill: rest[0], args: rest.slice(1) };
    case 'ask':
      if (!restText) throw usageError('Say what you want after "ask".');
      return { kind: 'ask', request: restText.slice(0, 4000) };
    case 'skills':
      return { kind: 'skills', query: restText || undefined };
    case 'approvals':
      return { kind: 'approvals' };
    case 'status':
      if (!rest[0]) throw usageError('Name the run (its id starts with run_).');
      return { kind: 'status', runId: rest[0] };
    case 'users': {
      const action = (rest[0] ?? 'list').toLowerCase();
      if (action === 'list') return { kind: 'users', action };
      if (action === 'link' && rest[1] && rest[2]) {
        return { kind: 'users', action, user: normalizeUserWord(rest[1], platform), principal: rest[2] };
      }
      if (action === 'unlink' && rest[1])
        return { kind: 'users', action, user: normalizeUserWord(rest[1], platform) };
      throw usageError('users takes: list | link <user> <principal> | unlink <user>.');
    }
    default:
      return { kind: 'ask', request: trimmed.slice(0, 4000) };
  }
}

/** Splits a request in words into its `key=value` words (the input) and the rest (the query). */
export function splitInlineInput(text: string): { query: string; pairs: string[] } {
  const words = tokenize(text);
  const pairs = words.filter((w) => /^[A-Za-z_][\w.]*=/.test(w));
  const query = words.filter((w) => !/^[A-Za-z_][\w.]*=/.test(w)).join(' ');
  return { query, pairs };
}
