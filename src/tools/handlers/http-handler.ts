import { SkillgateError } from '../../core/errors.js';
import type { Handler, HandlerContext } from '../handler.js';
import type { Skill } from '../skill.js';
import { assertValidTemplate, renderString, stringifyValue } from '../template/index.js';
import { abortError, timeoutError } from './handler-utils.js';
import {
  buildHttpRequest,
  type HttpHandlerSpec,
  type HttpRequestPlan,
  jsonPointer,
  referencedSecrets,
} from './http-request.js';
import { checkUrl, type UrlGuard, urlGuardOf } from './http-url-guard.js';

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;
const REDACTED = '***';

function checkResponseMapping(skill: Skill, mapping: Record<string, string>): void {
  for (const [field, source] of Object.entries(mapping)) {
    if (
      ['status', 'text', 'json'].includes(source) ||
      source.startsWith('/') ||
      source.startsWith('headers.')
    )
      continue;
    throw new SkillgateError(
      'skill.invalid',
      `Skill ${skill.id}: response.${field} must be status, text, json, headers.<name> or a JSON pointer like /data/0.`,
      { skill: skill.id },
    );
  }
}

/**
 * `handler: {type: http, method, url, headers, query, body, secrets, response, max_response_bytes}`.
 *
 * - Templates render over `{input, secrets}`; `secrets.NAME` must be declared in `secrets` (checked
 *   at load time) and is read with `ctx.secret(NAME)` (unset -> `config.invalid`). Secret values
 *   never appear in errors or previews (`***`).
 * - SSRF guard (`http-url-guard.ts`): the origin is literal in the template; the rendered URL
 *   must keep it and the static path prefix, else `handler.http_url_rejected` and nothing is sent.
 *   Redirects are followed (at most 5) only when their target passes the same guard.
 * - Limits: the skill's `timeout_ms` and `ctx.signal` (-> `skill.timeout` / the abort reason);
 *   `max_response_bytes` (-> `handler.http_failed`). A non-2xx status -> `handler.http_failed`
 *   with `details.status`.
 * - Output: with `response`, an object mapping each field to `status`, `text`, `json`,
 *   `headers.<name>` or a JSON pointer into the JSON body (`/data/items/0`); without it,
 *   `{status, body}` where body is parsed JSON for JSON responses, otherwise text.
 * - `preview` returns `{method, url, headers, body}`: the exact request, secrets as `***`.
 */
export function createHttpHandler(skill: Skill, spec: HttpHandlerSpec): Handler {
  const guard = urlGuardOf(spec.url, skill.id);
  assertValidTemplate([spec.url, spec.headers, spec.query, spec.body], `Skill ${skill.id} http handler`);
  const undeclared = referencedSecrets(spec).filter((n) => !spec.secrets.includes(n));
  if (undeclared.length > 0) {
    throw new SkillgateError(
      'skill.invalid',
      `Skill ${skill.id}: templates read secrets not declared in handler.secrets: ${undeclared.join(', ')}.`,
      { skill: skill.id },
    );
  }
  if ((spec.method === 'GET' || spec.method === 'HEAD') && spec.body !== undefined) {
    throw new SkillgateError(
      'skill.invalid',
      `Skill ${skill.id}: a ${spec.method} request cannot have a body.`,
      {
        skill: skill.id,
      },
    );
  }
  if (spec.response) checkResponseMapping(skill, spec.response);
  const used = referencedSecrets(spec);
  const redactedSecrets = Object.fromEntries(spec.secrets.map((n) => [n, REDACTED]));

  const plan = (ctx: HandlerContext, secrets: Record<string, string>) => {
    const shownUrl = stringifyValue(
      renderString(spec.url, { input: ctx.input, secrets: redactedSecrets }, { encode: encodeURIComponent }),
    );
    return buildHttpRequest(spec, { input: ctx.input, secrets }, guard, skill.id, shownUrl);
  };

  return {
    async preview(ctx) {
      return plan(ctx, redactedSecrets);
    },
    async run(ctx) {
      const secrets: Record<string, string> = {};
      for (const name of used) {
        const value = ctx.secret(name);
        if (value === undefined || value === '') {
          throw new SkillgateError(
            'config.invalid',
            `Skill ${skill.id} needs the secret ${name} (set it in the environment or $SKILLGATE_HOME/secrets/.env).`,
            { skill: skill.id, secret: name },
          );
        }
        secrets[name] = value;
      }
      const values = Object.values(secrets).filter((v) => v.length > 0);
      const redact = (text: string) => {
        let out = text;
        for (const v of values) out = out.split(v).join(REDACTED).split(encodeURIComponent(v)).join(REDACTED);
        return out;
      };
      return { output: await send(skill, spec, guard, plan(ctx, secrets), ctx, redact) };
    },
  };
}

async function send(
  skill: Skill,
  spec: HttpHandlerSpec,
  guard: UrlGuard,
  first: HttpRequestPlan,
  ctx: HandlerContext,
  redact: (text: string) => string,
): Promise<unknown> {
  const timeout = AbortSignal.timeout(skill.spec.timeout_ms);
  const signal = AbortSignal.any([ctx.signal, timeout]);
  const failed = (message: string, details: Record<string, number | string> = {}) =>
    new SkillgateError('handler.http_failed', redact(`Skill ${skill.id}: ${message}`), {
      skill: skill.id,
      ...details,
    });
  let req = first;
  let res: Response;
  for (let hop = 0; ; hop++) {
    try {
      res = await fetch(req.url, {
        method: req.method,
        headers: req.headers,
        body: req.body,
        redirect: 'manual',
        signal,
      });
    } catch (err) {
      if (ctx.signal.aborted) throw abortError(ctx.signal, skill.id);
      if (timeout.aborted) throw timeoutError(skill.id, skill.spec.timeout_ms);
      const cause = (err as { cause?: { message?: string } }).cause?.message ?? (err as Error).message;
      throw failed(`${req.method} ${req.url} could not be sent: ${cause}`);
    }
    const location = res.headers.get('location');
    if (!REDIRECTS.has(res.status) || !location) break;
    await res.body?.cancel();
    if (hop >= MAX_REDIRECTS) throw failed(`more than ${MAX_REDIRECTS} redirects from ${first.url}`);
    const next = new URL(location, req.url).toString();
    checkUrl(next, guard, skill.id, redact(next));
    const toGet = res.status === 303 || ((res.status === 301 || res.status === 302) && req.method === 'POST');
    req = toGet
      ? { method: 'GET', url: next, headers: withoutBodyHeaders(req.headers) }
      : { ...req, url: next };
  }
  let bytes: Uint8Array;
  try {
    bytes = await readLimited(res, spec.max_response_bytes);
  } catch (err) {
    if (ctx.signal.aborted) throw abortError(ctx.signal, skill.id);
    if (timeout.aborted) throw timeoutError(skill.id, skill.spec.timeout_ms);
    if (err instanceof ResponseTooLarge) {
      throw failed(
        `the response of ${req.method} ${req.url} is larger than ${spec.max_response_bytes} bytes`,
        {
          status: res.status,
          max_response_bytes: spec.max_response_bytes,
        },
      );
    }
    throw failed(`reading the response of ${req.method} ${req.url} failed: ${(err as Error).message}`);
  }
  const text = new TextDecoder().decode(bytes);
  if (res.status < 200 || res.status > 299) {
    const snippet = text.length > 200 ? `${text.slice(0, 200)}…` : text;
    throw failed(
      `${req.method} ${req.url} answered ${res.status} ${res.statusText}${snippet ? `: ${snippet}` : ''}`,
      {
        status: res.status,
      },
    );
  }
  let parsed: { ok: boolean; value?: unknown } | undefined;
  const json = () => {
    if (!parsed) {
      try {
        parsed = { ok: true, value: text === '' ? null : JSON.parse(text) };
      } catch {
        parsed = { ok: false };
      }
    }
    if (!parsed.ok)
      throw failed(`the response of ${req.method} ${req.url} is not JSON`, { status: res.status });
    return parsed.value;
  };
  if (!spec.response) {
    const isJson = /\bjson\b/i.test(res.headers.get('content-type') ?? '');
    return { status: res.status, body: isJson ? json() : text };
  }
  const out: Record<string, unknown> = {};
  for (const [field, source] of Object.entries(spec.response)) {
    if (source === 'status') out[field] = res.status;
    else if (source === 'text') out[field] = text;
    else if (source === 'json') out[field] = json();
    else if (source.startsWith('headers.')) out[field] = res.headers.get(source.slice(8)) ?? undefined;
    else out[field] = jsonPointer(json(), source);
  }
  return out;
}

function withoutBodyHeaders(headers: Record<string, string>): Record<string, string> {
  const { 'content-type': _ct, 'content-length': _cl, ...rest } = headers;
  return rest;
}

class ResponseTooLarge extends Error {}

/** Reads the body, refusing more than `max` bytes (by content-length, or while streaming). */
async function readLimited(res: Response, max: number): Promise<Uint8Array> {
  const declared = Number(res.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > max) {
    await res.body?.cancel();
    throw new ResponseTooLarge();
  }
  if (!res.body) return new Uint8Array();
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel();
      throw new ResponseTooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}
