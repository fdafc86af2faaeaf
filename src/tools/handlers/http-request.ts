import { SkillgateError } from '../../core/errors.js';
import type { HandlerSpec } from '../skill-spec.js';
import { renderString, renderTemplate, stringifyValue, templatePaths } from '../template/index.js';
import { checkUrl, type UrlGuard } from './http-url-guard.js';

export type HttpHandlerSpec = Extract<HandlerSpec, { type: 'http' }>;

/** A request as it is sent (or, with secrets replaced by `***`, as it is previewed). */
export interface HttpRequestPlan {
  method: string;
  url: string;
  headers: Record<string, string>;
  /** The body text sent (JSON text for object bodies), if any. */
  body?: string;
}

/** The secret names a spec's templates read (`{{ secrets.NAME }}`), declared or not. */
export function referencedSecrets(spec: HttpHandlerSpec): string[] {
  const paths = templatePaths([spec.url, spec.headers, spec.query, spec.body]);
  const names = paths.filter((p) => p.root === 'secrets' && typeof p.segments[0] === 'string');
  return [...new Set(names.map((p) => String(p.segments[0])))];
}

/**
 * Renders the request of an http skill over `{input, secrets}`:
 * - `url`: placeholder values URL-encoded (`encodeURIComponent`), then checked by the SSRF guard;
 * - `query`: each rendered value appended (URL-encoded by `URLSearchParams`); empty values are
 *   omitted;
 * - `headers`: rendered; empty values are omitted;
 * - `body`: deep-rendered; a string is sent as it is, anything else as JSON (with
 *   `content-type: application/json` unless a content-type header is set).
 * `shownUrl` is the same URL rendered with redacted secrets, used in error messages.
 */
export function buildHttpRequest(
  spec: HttpHandlerSpec,
  scope: { input: Record<string, unknown>; secrets: Record<string, string> },
  guard: UrlGuard,
  skillId: string,
  shownUrl: string,
): HttpRequestPlan {
  const rendered = stringifyValue(renderString(spec.url, scope, { encode: encodeURIComponent }));
  const url = checkUrl(rendered, guard, skillId, shownUrl);
  for (const [name, template] of Object.entries(spec.query)) {
    const value = stringifyValue(renderString(template, scope));
    if (value !== '') url.searchParams.append(name, value);
  }
  const headers: Record<string, string> = {};
  for (const [name, template] of Object.entries(spec.headers)) {
    const value = stringifyValue(renderString(template, scope));
    if (value !== '') headers[name.toLowerCase()] = value;
  }
  let body: string | undefined;
  if (spec.body !== undefined) {
    const value = renderTemplate(spec.body, scope);
    if (typeof value === 'string') {
      body = value;
      headers['content-type'] ??= 'text/plain; charset=utf-8';
    } else if (value !== undefined) {
      body = JSON.stringify(value);
      headers['content-type'] ??= 'application/json';
    }
  }
  if (/[\r\n]/.test(Object.values(headers).join(''))) {
    throw new SkillgateError(
      'handler.http_url_rejected',
      `Skill ${skillId}: a header value contains a line break.`,
      {
        skill: skillId,
      },
    );
  }
  return { method: spec.method, url: url.toString(), headers, body };
}

/** Resolves an RFC 6901 JSON pointer (`/a/b/0`); `undefined` when any part is missing. */
export function jsonPointer(doc: unknown, pointer: string): unknown {
  if (pointer === '') return doc;
  let value = doc;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}
