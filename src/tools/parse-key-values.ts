import { SkillgateError } from '../core/errors.js';
import type { JsonSchemaNode } from './json-schema-subset.js';

const INTEGER = /^[-+]?\d+$/;
const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
const TRUE = new Set(['true', 'yes', 'y', 'on', '1']);
const FALSE = new Set(['false', 'no', 'n', 'off', '0']);

function tryJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/**
 * Coerces one textual value by a schema node. Values that do not fit stay strings, so that the
 * skill's validator rejects them with a precise message instead of this function guessing.
 */
export function coerceValue(text: string, node: JsonSchemaNode | undefined): unknown {
  if (!node) return text;
  const t = text.trim();
  switch (node.type) {
    case 'string':
      return text;
    case 'integer':
      return INTEGER.test(t) ? Number(t) : text;
    case 'number':
      return NUMBER.test(t) ? Number(t) : text;
    case 'boolean': {
      const l = t.toLowerCase();
      if (TRUE.has(l)) return true;
      if (FALSE.has(l)) return false;
      return text;
    }
    case 'null':
      return t === 'null' || t === '' ? null : text;
    case 'array': {
      if (t.startsWith('[')) {
        const j = tryJson(t);
        return j.ok ? j.value : text;
      }
      if (t === '') return [];
      return t.split(',').map((item) => coerceValue(item.trim(), node.items));
    }
    case 'object': {
      if (t.startsWith('{')) {
        const j = tryJson(t);
        return j.ok ? j.value : text;
      }
      return text;
    }
    case 'any': {
      if (/^[[{"]/.test(t) || t === 'true' || t === 'false' || t === 'null' || NUMBER.test(t)) {
        const j = tryJson(t);
        if (j.ok) return j.value;
      }
      return text;
    }
  }
}

function splitPair(pair: string): [string, string] {
  const i = pair.indexOf('=');
  if (i <= 0) {
    throw new SkillgateError('request.invalid', `"${pair}" is not a key=value pair.`, {
      pair: pair.slice(0, 100),
    });
  }
  return [pair.slice(0, i).trim(), pair.slice(i + 1)];
}

/**
 * Turns `key=value` pairs (CLI arguments, chat commands) into a skill input, coerced by the
 * skill's input schema: strings stay strings; integer, number and boolean are parsed
 * (`yes/no/on/off/1/0` too); arrays come from comma lists (`tags=a,b`) or JSON (`ids=[1,2]`), and a
 * repeated array key appends (`tag=a tag=b`); objects come from JSON. A dotted key (`address.city=X`)
 * sets a field of an object property. Unknown keys are kept as strings for the validator to reject.
 *
 * Throws `request.invalid` for a pair without `=` or a non-array key given twice.
 */
export function parseKeyValues(pairs: string[], schema: JsonSchemaNode): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const seen = new Set<string>();
  for (const pair of pairs) {
    const [key, raw] = splitPair(pair);
    const path = key.split('.');
    let target = out;
    let node: JsonSchemaNode | undefined = schema;
    // Descend into declared object properties for dotted keys; an undeclared prefix keeps the whole key.
    let i = 0;
    for (; i < path.length - 1; i++) {
      const child: JsonSchemaNode | undefined = node?.properties?.[path[i]];
      if (child?.type !== 'object') break;
      const existing = target[path[i]];
      if (!existing || typeof existing !== 'object' || Array.isArray(existing)) target[path[i]] = {};
      target = target[path[i]] as Record<string, unknown>;
      node = child;
    }
    const leafKey = path.slice(i).join('.');
    const leafNode = node?.properties?.[leafKey];
    const value = coerceValue(raw, leafNode);
    if (seen.has(key)) {
      if (leafNode?.type === 'array' && Array.isArray(target[leafKey])) {
        target[leafKey] = [...(target[leafKey] as unknown[]), ...(Array.isArray(value) ? value : [value])];
        continue;
      }
      throw new SkillgateError('request.invalid', `"${key}" is given twice.`, { key });
    }
    seen.add(key);
    target[leafKey] = value;
  }
  return out;
}
