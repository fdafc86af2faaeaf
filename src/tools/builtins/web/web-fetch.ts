import { isIP } from 'node:net';
import type { Config } from '../../../core/config/config-schema.js';
import type { BuiltinHandler, HandlerContext } from '../../handler.js';
import { assertAddressAllowed, resolveForPreview } from './address-policy.js';
import { bareHost, type FetchUrlOptions, fetchUrl, parseFetchUrl } from './fetch-url.js';
import { pageText } from './page-text.js';

interface WebFetchInput {
  url: string;
  max_bytes?: number;
  max_chars?: number;
  timeout_ms?: number;
}

/** Fetch options from config and input: the input may lower the configured limits, never raise them. */
function optionsOf(ctx: HandlerContext): FetchUrlOptions {
  const input = ctx.input as unknown as WebFetchInput;
  const web: Config['web'] = ctx.config.web;
  return {
    policy: { allowPrivate: web.allow_private, allowLoopback: web.allow_loopback },
    maxBytes: Math.min(input.max_bytes ?? web.max_bytes, web.max_bytes),
    timeoutMs: Math.min(input.timeout_ms ?? web.timeout_ms, web.timeout_ms),
    maxRedirects: web.max_redirects,
    userAgent: web.user_agent,
    signal: ctx.signal,
  };
}

/**
 * `web.fetch`: GETs an http(s) URL and returns its title and readable text. Refuses other schemes,
 * and private / link-local / loopback targets unless `web.allow_private` / `web.allow_loopback`
 * (checked on every connection, redirects included). The body is read up to `max_bytes`, the text
 * returned up to `max_chars` (default 20000).
 */
export async function webFetch(ctx: HandlerContext) {
  const input = ctx.input as unknown as WebFetchInput;
  const options = optionsOf(ctx);
  const started = performance.now();
  const page = await fetchUrl(input.url, options);
  const maxChars = input.max_chars ?? 20_000;
  const t = await pageText(page.body, page.headers['content-type']);
  const text = t.text === null ? null : t.text.slice(0, maxChars);
  return {
    url: page.url,
    final_url: page.finalUrl,
    status: page.status,
    ok: page.status >= 200 && page.status < 300,
    content_type: t.contentType,
    title: t.title,
    text,
    text_truncated: t.text !== null && t.text.length > maxChars,
    bytes: page.body.length,
    truncated: page.truncated,
    redirects: page.redirects,
    elapsed_ms: Math.round(performance.now() - started),
    note:
      t.text === null ? `The content (${t.contentType}) is not text; only its metadata is returned.` : null,
  };
}

/** The `web.fetch` builtin; its preview shows the request and refuses forbidden targets without sending anything. */
export const webFetchBuiltin: BuiltinHandler = {
  async preview(ctx) {
    const input = ctx.input as unknown as WebFetchInput;
    const options = optionsOf(ctx);
    const url = parseFetchUrl(input.url);
    const host = bareHost(url);
    const addresses = isIP(host) ? [host] : await resolveForPreview(host);
    for (const a of addresses) assertAddressAllowed(a, options.policy, host);
    return {
      request: { method: 'GET', url: url.href, headers: { 'user-agent': options.userAgent } },
      resolves_to: addresses,
      limits: {
        max_bytes: options.maxBytes,
        timeout_ms: options.timeoutMs,
        max_redirects: options.maxRedirects,
      },
    };
  },
  async run(ctx) {
    return { output: await webFetch(ctx) };
  },
};
