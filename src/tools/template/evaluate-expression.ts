import type { Expr, FilterName, PathSegment } from './parse-expression.js';

/** The data a template reads: `{input, steps, secrets, error, ...}`. */
export type TemplateScope = Readonly<Record<string, unknown>>;

/** Keys that are never resolved, whatever the data holds (no prototype access). */
const FORBIDDEN_KEYS = new Set(['__proto__', 'prototype', 'constructor']);

/**
 * Reads one step of a path. Only own properties are visible; a negative index counts from the
 * end of an array or string. Anything missing resolves to `undefined`.
 */
function step(value: unknown, seg: PathSegment): unknown {
  if (value === null || value === undefined) return undefined;
  if (typeof seg === 'number' && (Array.isArray(value) || typeof value === 'string')) {
    const i = seg < 0 ? value.length + seg : seg;
    return value[i];
  }
  const key = String(seg);
  if (FORBIDDEN_KEYS.has(key)) return undefined;
  if (typeof value !== 'object' && typeof value !== 'string') return undefined;
  const obj = Object(value) as Record<string, unknown>;
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

/** Resolves a dotted path against the scope (`undefined` when any part is missing). */
export function resolvePath(scope: TemplateScope, root: string, segments: readonly PathSegment[]): unknown {
  let value = step(scope, root);
  for (const seg of segments) {
    value = step(value, seg);
    if (value === undefined) return undefined;
  }
  return value;
}

/**
 * Truthiness used by `if:`, `!`, `&&` and `||`: `undefined`, `null`, `false`, `0`, `NaN`, `''`
 * and the empty array are false; everything else (including `{}` and `'false'`) is true.
 */
export function isTruthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  return Boolean(value);
}

/** Text of a value in a string: `''` for null/undefined, JSON for objects and arrays. */
export function stringifyValue(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function asNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)))
    return Number(value);
  return undefined;
}

/** `==`: strict equality, except that a number equals a string holding the same number. */
function looseEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === undefined || a === null) return b === undefined || b === null;
  if (typeof a === 'number' || typeof b === 'number') {
    const x = asNumber(a);
    const y = asNumber(b);
    return x !== undefined && y !== undefined && x === y;
  }
  return false;
}

/** `<`, `>`, ...: numbers (or numeric strings) numerically, strings by code point; otherwise false. */
function compare(op: '<' | '<=' | '>' | '>=', a: unknown, b: unknown): boolean {
  const x = asNumber(a);
  const y = asNumber(b);
  let c: number;
  if (x !== undefined && y !== undefined) c = x - y;
  else if (typeof a === 'string' && typeof b === 'string') c = a < b ? -1 : a > b ? 1 : 0;
  else return false;
  if (Number.isNaN(c)) return false;
  return op === '<' ? c < 0 : op === '<=' ? c <= 0 : op === '>' ? c > 0 : c >= 0;
}

function applyFilter(name: FilterName, value: unknown, args: unknown[]): unknown {
  switch (name) {
    case 'json':
      return JSON.stringify(value ?? null);
    case 'default':
      return value === undefined || value === null || value === '' ? args[0] : value;
    case 'length':
      if (typeof value === 'string' || Array.isArray(value)) return value.length;
      if (value && typeof value === 'object') return Object.keys(value).length;
      return 0;
    case 'join':
      return Array.isArray(value)
        ? value.map(stringifyValue).join(args.length ? stringifyValue(args[0]) : ',')
        : value;
    case 'lower':
      return typeof value === 'string' ? value.toLowerCase() : value;
    case 'upper':
      return typeof value === 'string' ? value.toUpperCase() : value;
  }
}

/** Evaluates a parsed expression over the scope. Never throws for missing data. */
export function evaluateExpression(expr: Expr, scope: TemplateScope): unknown {
  switch (expr.kind) {
    case 'literal':
      return expr.value;
    case 'path':
      return resolvePath(scope, expr.root, expr.segments);
    case 'not':
      return !isTruthy(evaluateExpression(expr.operand, scope));
    case 'filter':
      return applyFilter(
        expr.name,
        evaluateExpression(expr.input, scope),
        expr.args.map((a) => evaluateExpression(a, scope)),
      );
    case 'binary': {
      const left = evaluateExpression(expr.left, scope);
      if (expr.op === '&&') return isTruthy(left) ? evaluateExpression(expr.right, scope) : left;
      if (expr.op === '||') return isTruthy(left) ? left : evaluateExpression(expr.right, scope);
      const right = evaluateExpression(expr.right, scope);
      if (expr.op === '==') return looseEquals(left, right);
      if (expr.op === '!=') return !looseEquals(left, right);
      return compare(expr.op, left, right);
    }
  }
}
