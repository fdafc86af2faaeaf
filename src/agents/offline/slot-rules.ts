import type { JsonSchemaNode } from '../../tools/json-schema-subset.js';
import type { EntityKind } from './entity-catalog.js';
import { singular } from './extract-values.js';

/** Words that put a number on a `min_*` property: "over 1,000", "more than 5000", "at least 3". */
export const COMPARATORS = new Set([
  'over',
  'above',
  'exceeding',
  'than',
  'least',
  'min',
  'minimum',
  '>',
  '>=',
]);

/** Words that put a number on `limit`: "top 5", "first 10". */
export const LIMIT_WORDS = new Set(['top', 'first', 'limit', 'latest', 'most']);

/** Which properties an entity of each kind fills, in order of preference. */
export const ENTITY_TARGETS: Record<EntityKind, string[]> = {
  company: ['company', 'customer'],
  person: ['name', 'customer'],
  city: ['city'],
  owner: ['account_owner'],
  service: ['service'],
};

/** Phrases that mean an enum value without naming it. */
export const ENUM_SYNONYMS: Record<string, string[]> = {
  org: ['team', 'everyone', 'organisation', 'organization'],
  kb: ['knowledge base'],
  session: ['this conversation'],
  day: ['today', 'daily'],
  week: ['this week', 'weekly'],
  month: ['this month', 'monthly'],
  waiting_approval: ['waiting for approval', 'awaiting approval', 'pending approval'],
  succeeded: ['successful'],
  failed: ['failures'],
};

/** Keywords that select one of several date properties. */
export const DATE_KEYWORDS: Record<string, string[]> = {
  before: ['before', 'older'],
  since: ['since', 'after', 'from'],
  from: ['from', 'since', 'after'],
  to: ['to', 'until', 'till', 'through'],
  on: ['on', 'paid'],
};

const IGNORED_PARTS = new Set(['min', 'max', 'new', 'ms', 'include']);

/** Words that name a property in a request: its name, its parts, and for `id` the noun its description names. */
export function anchorsOf(name: string, node: JsonSchemaNode): Set<string> {
  const out = new Set<string>([name, singular(name)]);
  for (const part of name.split('_')) if (!IGNORED_PARTS.has(part)) out.add(singular(part));
  if (name === 'id') {
    const m = /^(\w+)\s+id\b/i.exec(node.description ?? '');
    if (m) out.add(m[1].toLowerCase());
  }
  return out;
}

/** A string property whose value is free text (no enum, format or pattern). */
export function isFreeText(node: JsonSchemaNode): boolean {
  return node.type === 'string' && !node.enum && !node.format && !node.pattern;
}

/** Free-text properties that may take a quoted string even when optional, by preference. */
export const QUOTE_TARGETS = ['text', 'note', 'question', 'query', 'title', 'reason'];

const COMMAND =
  /^(?:(?:please|pls|can you|could you|kindly|hey)[\s,]+)*(?:remember|note|save|store|keep in mind|don't forget|do not forget|record|write down|add to the knowledge base)\b(?:\s+(?:for later|for the team|for this conversation|a note for the team|a note|for me|this|the fact))*\s*(?:that\b)?\s*[:,-]?\s*/i;

/** The fact of a "remember ..." request: the command words and a trailing "to memory" removed. */
export function stripCommand(text: string): string {
  return text
    .replace(COMMAND, '')
    .replace(/\s*\b(?:to|in|into)\s+(?:long-term\s+|the\s+|your\s+)?memory\s*[.!]?\s*$/i, '')
    .replace(/^(?:that\s+)/i, '')
    .trim();
}

/** Coerces a number to a property: integer/number as number, strings as text. */
export function numberFor(node: JsonSchemaNode, n: number): unknown {
  if (node.type === 'integer') return Number.isInteger(n) ? n : undefined;
  if (node.type === 'number') return n;
  if (node.type === 'string') return String(n);
  return undefined;
}
