/**
 * Templates for skill handlers (http, pipeline): `{{ input.x }}`, `{{ steps.a.output.rows[0] }}`,
 * `{{ secrets.NAME }}`, filters `json`, `default: 'x'`, `length`, `join: ', '`, `lower`, `upper`.
 * A string that is exactly one placeholder keeps the value's type; mixed strings interpolate text.
 * Missing paths evaluate to `undefined` (empty text in mixed strings). No eval, no code: the
 * expression language only reads own properties of plain data.
 */
export { isTruthy, resolvePath, stringifyValue, type TemplateScope } from './evaluate-expression.js';
export { type Expr, FILTER_NAMES, parseExpression } from './parse-expression.js';
export {
  assertValidTemplate,
  conditionPaths,
  evaluateCondition,
  hasPlaceholder,
  type RenderOptions,
  renderString,
  renderTemplate,
  type TemplatePath,
  templatePaths,
  validateCondition,
  validateTemplate,
  wholeExpression,
} from './render-template.js';
