import type { JsonSchemaNode } from '../../tools/json-schema-subset.js';
import { coerceValue } from '../../tools/parse-key-values.js';
import type { EntityMention } from './entity-catalog.js';
import {
  EMAIL,
  type Found,
  ISO_DATE,
  KEY_VALUE,
  NUMBER,
  parseNumber,
  properNames,
  QUOTED,
  RELATIVE_DATE,
  relativeDate,
  Spans,
  scan,
  singular,
  URL,
} from './extract-values.js';
import {
  anchorsOf,
  COMPARATORS,
  DATE_KEYWORDS,
  ENTITY_TARGETS,
  ENUM_SYNONYMS,
  isFreeText,
  LIMIT_WORDS,
  numberFor,
  QUOTE_TARGETS,
  stripCommand,
} from './slot-rules.js';
import { codeIn, cronIn, languageIn } from './special-slots.js';

export interface FillSlotsOptions {
  /** Known entities mentioned in the text (positions in `text`). */
  entities: EntityMention[];
  today: Date;
  /** Values decided before filling (references to earlier steps); never overwritten. */
  preset?: Record<string, unknown>;
}

export interface SlotFill {
  input: Record<string, unknown>;
  /** Required properties nothing in the text could fill. */
  missing: { name: string; description?: string }[];
  /** How each property was filled (for the plan's rationale). */
  sources: Record<string, string>;
}

const PHONE = /(?<![\w+])\+?\d[\d ()./-]{5,}\d(?!\w)/g;

/**
 * Fills a skill's input from a request in words, against the skill's input schema, without a
 * model: `key=value` pairs, quoted strings, URLs, e-mails, dates (ISO, today, yesterday), phone
 * numbers, known entity names (companies, people, cities, account owners, services), enum values
 * (and phrases meaning them), numbers placed by the words around them ("invoice 1007", "over
 * 1,000", "14 days", "top 5"), proper names for `name` / `company` / `city`, source `code` and
 * its `language`, a `cron` from schedule words, and free text for required `text` / `query` /
 * `question`. Nothing is guessed: what is not found stays missing.
 */
export function fillSlots(text: string, schema: JsonSchemaNode, options: FillSlotsOptions): SlotFill {
  const props = schema.properties ?? {};
  const input: Record<string, unknown> = { ...(options.preset ?? {}) };
  const sources: Record<string, string> = {};
  const spans = new Spans();
  const has = (name: string) => name in props;
  const free = (name: string) => has(name) && !(name in input);
  const set = (name: string, value: unknown, source: string) => {
    if (!free(name) || value === undefined) return false;
    input[name] = value;
    sources[name] = source;
    return true;
  };

  if (has('code')) {
    const code = codeIn(text);
    if (code && set('code', code, 'code')) {
      const at = text.indexOf(code);
      if (at >= 0) spans.take(at, at + code.length);
    }
  }
  if (has('language')) set('language', languageIn(text), 'language');
  if (has('cron')) set('cron', cronIn(text), 'schedule words');
  for (const f of scan(text, KEY_VALUE, spans)) {
    const [, key, , dq, sq, bare] = /^([a-z_][a-z0-9_]*)=("([^"]*)"|'([^']*)'|(\S+))$/.exec(f.value) ?? [];
    if (key && has(key)) set(key, coerceValue(dq ?? sq ?? bare ?? '', props[key]), 'key=value');
  }
  const quoted: Found[] = [];
  for (const m of text.matchAll(QUOTED)) {
    const start = m.index ?? 0;
    const end = start + m[0].length;
    if (spans.overlaps(start, end)) continue;
    spans.take(start, end);
    const before =
      text
        .slice(0, start)
        .toLowerCase()
        .match(/[\p{L}_]+/gu)
        ?.slice(-2) ?? [];
    quoted.push({ value: m[1] ?? m[2] ?? m[3], start, end, before, after: [] });
  }
  for (const q of quoted) {
    const named = Object.keys(props).find((p) => isFreeText(props[p]) && q.before.includes(p));
    if (named) set(named, q.value, 'quoted');
  }
  for (const u of scan(text, URL, spans)) {
    const target = Object.keys(props).find(
      (p) => free(p) && (props[p].format === 'uri' || /^(url|link)$/.test(p)),
    );
    if (target) set(target, u.value, 'url');
  }
  fillEmails(scan(text, EMAIL, spans), props, free, set);
  fillDates(text, spans, props, free, set, options.today);
  if (has('phone')) {
    for (const p of scan(text, PHONE, spans)) if (set('phone', p.value.trim(), 'phone')) break;
  }
  for (const e of options.entities) {
    if (spans.overlaps(e.start, e.end)) continue;
    const target = ENTITY_TARGETS[e.kind].find((p) => free(p) && props[p].type === 'string');
    if (target && set(target, e.value, `entity:${e.kind}`)) spans.take(e.start, e.end);
    else if (!target && e.email && free('email') && set('email', e.email, `entity:${e.kind} e-mail`))
      spans.take(e.start, e.end);
  }
  fillEnums(text, props, free, set);
  fillPatterned(text, spans, props, free, set);
  fillNumbers(scan(text, NUMBER, spans), props, schema.required ?? [], free, set);
  fillProperNames(properNames(text, spans), free, set);
  for (const q of quoted) {
    if (Object.values(input).includes(q.value)) continue;
    const target =
      (schema.required ?? []).find((p) => free(p) && isFreeText(props[p])) ??
      QUOTE_TARGETS.find((p) => free(p) && isFreeText(props[p]));
    if (target) set(target, q.value, 'quoted');
  }
  for (const name of schema.required ?? []) {
    if (!free(name) || !isFreeText(props[name])) continue;
    const clause = text.replace(KEY_VALUE, '').trim();
    if (name === 'text') {
      const fact = stripCommand(clause);
      if (fact) set(name, fact, 'request text');
    } else if (name === 'question' || name === 'query') {
      set(name, clause, 'request text');
    }
  }
  const missing = (schema.required ?? [])
    .filter((n) => !(n in input) && props[n]?.default === undefined)
    .map((n) => ({ name: n, description: props[n]?.description }));
  return { input, missing, sources };
}

type Free = (name: string) => boolean;
type Assign = (name: string, value: unknown, source: string) => boolean;
type Props = Record<string, JsonSchemaNode>;

function fillEmails(emails: Found[], props: Props, free: Free, set: Assign): void {
  const names = Object.keys(props);
  const direct = names.filter((p) => props[p].format === 'email' || /email/.test(p));
  const current = direct.filter((p) => !p.startsWith('new_'));
  const fresh = direct.filter((p) => p.startsWith('new_'));
  const loose = names.filter(
    (p) => /^(customer|query)$/.test(p) && /e-?mail/i.test(props[p].description ?? ''),
  );
  for (const e of emails) {
    const wantsNew = e.before.some((w) => w === 'to' || w === 'new' || w === 'now');
    const order = wantsNew ? [...fresh, ...current, ...loose] : [...current, ...fresh, ...loose];
    const target = order.find(free);
    if (target) set(target, e.value.toLowerCase(), 'email');
  }
}

function fillDates(text: string, spans: Spans, props: Props, free: Free, set: Assign, today: Date): void {
  const dateProps = Object.keys(props).filter((p) => props[p].format === 'date');
  if (dateProps.length === 0) return;
  const found = [
    ...scan(text, ISO_DATE, spans),
    ...scan(text, RELATIVE_DATE, spans).map((f) => ({ ...f, value: relativeDate(f.value, today) })),
  ].sort((a, b) => a.start - b.start);
  for (const d of found) {
    const keyed = dateProps.find(
      (p) =>
        free(p) &&
        p.split('_').some((part) => (DATE_KEYWORDS[part] ?? [part]).some((k) => d.before.includes(k))),
    );
    const target = keyed ?? dateProps.find(free);
    if (target) set(target, d.value, 'date');
  }
}

function fillEnums(text: string, props: Props, free: Free, set: Assign): void {
  const lower = ` ${text.toLowerCase()} `;
  const mentions = (phrase: string) =>
    new RegExp(`(?<![\\p{L}\\p{N}_])${phrase.replace(/[_-]/g, '[ _-]')}(?![\\p{L}\\p{N}_])`, 'u').test(lower);
  for (const [name, node] of Object.entries(props)) {
    if (!free(name)) continue;
    const values = (node.type === 'array' ? node.items?.enum : node.enum)?.map(String);
    if (!values || !(node.type === 'string' || node.type === 'array')) continue;
    const hits = values.filter((v) => mentions(v.toLowerCase()) || (ENUM_SYNONYMS[v] ?? []).some(mentions));
    if (hits.length === 1) set(name, node.type === 'array' ? hits : hits[0], 'enum');
  }
}

const ENVIRONMENTS = /\b(production|prod|staging|stage|development|dev|qa|test|sandbox|preview)\b/i;

/** Pattern-constrained strings named in the text: "version 4.2.0", "environment=x", "to staging". */
function fillPatterned(text: string, spans: Spans, props: Props, free: Free, set: Assign): void {
  for (const [name, node] of Object.entries(props)) {
    if (!free(name) || node.type !== 'string' || !node.pattern) continue;
    const re = new RegExp(node.pattern, 'u');
    if (name === 'environment') {
      const env = ENVIRONMENTS.exec(text);
      if (env && re.test(env[1].toLowerCase())) set(name, env[1].toLowerCase(), 'environment');
      continue;
    }
    for (const anchor of anchorsOf(name, node)) {
      const m = new RegExp(`\\b${anchor}\\s+(?:number\\s+|no\\.?\\s+|#)?([\\w.+-]+)`, 'i').exec(text);
      if (!m || !re.test(m[1])) continue;
      const start = (m.index ?? 0) + m[0].length - m[1].length;
      if (spans.overlaps(start, start + m[1].length)) continue;
      spans.take(start, start + m[1].length);
      set(name, m[1], 'anchor');
      break;
    }
  }
}

function fillNumbers(nums: Found[], props: Props, required: string[], free: Free, set: Assign): void {
  const numeric = Object.keys(props).filter(
    (p) =>
      props[p].type === 'integer' ||
      props[p].type === 'number' ||
      (props[p].type === 'string' && !props[p].enum),
  );
  const anchors = new Map(numeric.map((p) => [p, anchorsOf(p, props[p])]));
  const leftover: Found[] = [];
  for (const n of nums) {
    const value = parseNumber(n.value);
    const prev = n.before.map((w) => singular(w.replace(/^#/, '')));
    const last = prev.at(-1) ?? '';
    const lastNoun = ['number', 'no', 'nr', 'id', '#'].includes(last) ? (prev.at(-2) ?? '') : last;
    const next = singular(n.after[0] ?? '');
    const tryTo = (p: string | undefined, source: string) =>
      !!p && free(p) && set(p, numberFor(props[p], value), source);
    if (
      prev.some((w) => COMPARATORS.has(w)) &&
      tryTo(
        numeric.find((p) => p.startsWith('min') && free(p)),
        'comparison',
      )
    )
      continue;
    if (
      tryTo(
        numeric.find((p) => free(p) && props[p].type !== 'string' && anchors.get(p)!.has(next)),
        'unit',
      )
    )
      continue;
    if (
      tryTo(
        numeric.find((p) => free(p) && anchors.get(p)!.has(lastNoun)),
        'anchor',
      )
    )
      continue;
    if (LIMIT_WORDS.has(last) && tryTo('limit', 'limit')) continue;
    leftover.push(n);
  }
  const open = required.filter((p) => free(p) && props[p]?.type === 'integer');
  const ints = leftover.filter((n) => Number.isInteger(parseNumber(n.value)));
  if (open.length === 1 && ints.length === 1) set(open[0], parseNumber(ints[0].value), 'number');
}

function fillProperNames(names: Found[], free: Free, set: Assign): void {
  for (const n of names) {
    const last = n.before.at(-1) ?? '';
    if (
      free('company') &&
      ['from', 'at', 'of', 'for', 'with'].includes(last) &&
      set('company', n.value, 'proper name')
    )
      continue;
    if (free('city') && ['in', 'near'].includes(last) && set('city', n.value, 'proper name')) continue;
    if (free('name') && n.value.includes(' ') && set('name', n.value, 'proper name')) continue;
  }
}
