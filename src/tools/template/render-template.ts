import { SkillgateError } from '../../core/errors.js';
import { evaluateExpression, isTruthy, stringifyValue, type TemplateScope } from './evaluate-expression.js';
import { expressionPaths, type PathSegment, parseExpression } from './parse-expression.js';

export interface RenderOptions {
  /**
   * Applied to the text of every value interpolated into a mixed string (e.g.
   * `encodeURIComponent` for URLs). Not applied to whole-value templates, which keep their type.
   */
  encode?: (text: string) => string;
}

/** A data path a template reads (`steps.a.output` -> root `steps`, segments `['a', 'output']`). */
export interface TemplatePath {
  root: string;
  segments: PathSegment[];
}

const PLACEHOLDER = /\{\{([\s\S]*?)\}\}/g;

/** The expression of a string that is exactly one `{{ expr }}` (surrounding blanks allowed), else undefined. */
export function wholeExpression(text: string): string | undefined {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{{') || !trimmed.endsWith('}}')) return undefined;
  const matches = [...trimmed.matchAll(PLACEHOLDER)];
  if (matches.length !== 1 || matches[0][0].length !== trimmed.length) return undefined;
  return matches[0][1];
}

/** True when the string contains at least one `{{ ... }}` placeholder. */
export function hasPlaceholder(text: string): boolean {
  return /\{\{[\s\S]*?\}\}/.test(text);
}

/**
 * Renders one string:
 * - exactly one `{{ expr }}` (blanks around it allowed): the value itself, with its type
 *   (object, array, number, boolean; `undefined` when the path is missing);
 * - anything else: every placeholder is replaced by the value's text — strings as they are,
 *   numbers and booleans via `String`, objects and arrays as JSON, `null`/`undefined` (missing
 *   paths) as the empty string — passed through `options.encode` when given.
 * Text without placeholders is returned unchanged; an unclosed `{{` is plain text.
 */
export function renderString(text: string, scope: TemplateScope, options: RenderOptions = {}): unknown {
  if (!text.includes('{{')) return text;
  const whole = wholeExpression(text);
  if (whole !== undefined) return evaluateExpression(parseExpression(whole), scope);
  return text.replace(PLACEHOLDER, (_, expr: string) => {
    const out = stringifyValue(evaluateExpression(parseExpression(expr), scope));
    return options.encode ? options.encode(out) : out;
  });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Deep-renders a template value: strings with `renderString`, arrays and plain objects element by
 * element (keys are not templates), anything else unchanged. The template is not modified.
 * Throws `skill.invalid` on a syntax error (use `validateTemplate` at load time to catch them).
 */
export function renderTemplate(
  template: unknown,
  scope: TemplateScope,
  options: RenderOptions = {},
): unknown {
  if (typeof template === 'string') return renderString(template, scope, options);
  if (Array.isArray(template)) return template.map((t) => renderTemplate(t, scope, options));
  if (isPlainObject(template)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(template)) out[k] = renderTemplate(v, scope, options);
    return out;
  }
  return template;
}

function expressionsOf(template: unknown, out: string[] = []): string[] {
  if (typeof template === 'string') {
    for (const m of template.matchAll(PLACEHOLDER)) out.push(m[1]);
  } else if (Array.isArray(template)) {
    for (const t of template) expressionsOf(t, out);
  } else if (isPlainObject(template)) {
    for (const v of Object.values(template)) expressionsOf(v, out);
  }
  return out;
}

/** Syntax problems of every placeholder in a (deep) template; empty when it is valid. */
export function validateTemplate(template: unknown): string[] {
  const problems: string[] = [];
  for (const expr of expressionsOf(template)) {
    try {
      parseExpression(expr);
    } catch (err) {
      problems.push((err as Error).message);
    }
  }
  return problems;
}

/** Every data path the placeholders of a (deep) template read. Invalid placeholders are ignored. */
export function templatePaths(template: unknown): TemplatePath[] {
  const out: TemplatePath[] = [];
  for (const expr of expressionsOf(template)) {
    try {
      out.push(...expressionPaths(parseExpression(expr)));
    } catch {
      // reported by validateTemplate
    }
  }
  return out;
}

/** The expression of an `if:` condition: the inside of a whole `{{ }}`, or the text as it is. */
function conditionExpression(condition: string): string | undefined {
  return wholeExpression(condition) ?? (hasPlaceholder(condition) ? undefined : condition);
}

/**
 * Evaluates a pipeline `if:` condition. Accepted forms: a bare expression (`input.notify`,
 * `!input.dry`, `steps.check.output.status == 'ok'`, `steps.find.output.rows | length > 0`,
 * `a && (b || c)`), the same wrapped in one `{{ }}`, or a mixed template string (true when the
 * rendered text is not empty). Truthiness: see `isTruthy` (empty arrays are false).
 */
export function evaluateCondition(condition: string, scope: TemplateScope): boolean {
  const expr = conditionExpression(condition);
  if (expr === undefined) return isTruthy(renderString(condition, scope));
  return isTruthy(evaluateExpression(parseExpression(expr), scope));
}

/** Syntax problems of an `if:` condition; empty when it is valid. */
export function validateCondition(condition: string): string[] {
  const expr = conditionExpression(condition);
  if (expr === undefined) return validateTemplate(condition);
  try {
    parseExpression(expr);
    return [];
  } catch (err) {
    return [(err as Error).message];
  }
}

/** Every data path an `if:` condition reads. */
export function conditionPaths(condition: string): TemplatePath[] {
  const expr = conditionExpression(condition);
  if (expr === undefined) return templatePaths(condition);
  try {
    return expressionPaths(parseExpression(expr));
  } catch {
    return [];
  }
}

/** Throws `skill.invalid` listing the problems of a template (for load-time checks). */
export function assertValidTemplate(template: unknown, where: string): void {
  const problems = validateTemplate(template);
  if (problems.length > 0) throw new SkillgateError('skill.invalid', `${where}: ${problems.join('; ')}`);
}
