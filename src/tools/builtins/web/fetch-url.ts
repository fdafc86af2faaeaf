import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import type { Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { SkillgateError } from '../../../core/errors.js';
import { type AddressPolicy, assertAddressAllowed, guardedLookup } from './address-policy.js';

export interface FetchUrlOptions {
  policy: AddressPolicy;
  /** Body bytes read (after decompression); the rest is dropped and `truncated` set. */
  maxBytes: number;
  /** For the whole fetch, redirects included. */
  timeoutMs: number;
  maxRedirects: number;
  userAgent: string;
  signal?: AbortSignal;
}

export interface FetchedPage {
  url: string;
  finalUrl: string;
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  truncated: boolean;
  redirects: number;
}

/** Parses and checks a URL: http(s) only, no credentials; throws `web.url_refused`. */
export function parseFetchUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new SkillgateError('web.url_refused', `"${raw.slice(0, 200)}" is not a valid URL.`, {
      url: raw.slice(0, 200),
    });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new SkillgateError(
      'web.url_refused',
      `Only http and https URLs can be fetched, not ${url.protocol}.`,
      {
        url: raw.slice(0, 200),
        scheme: url.protocol.replace(/:$/, ''),
      },
    );
  }
  if (url.username || url.password) {
    throw new SkillgateError('web.url_refused', 'URLs with embedded credentials are refused.', {
      host: url.hostname,
    });
  }
  return url;
}

/** The host of a URL without IPv6 brackets. */
export function bareHost(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '');
}

function decoded(res: IncomingMessage): Readable {
  const enc = String(res.headers['content-encoding'] ?? '').toLowerCase();
  if (enc === 'gzip' || enc === 'x-gzip') return res.pipe(createGunzip());
  if (enc === 'deflate') return res.pipe(createInflate());
  if (enc === 'br') return res.pipe(createBrotliDecompress());
  return res;
}

function readLimited(res: IncomingMessage, maxBytes: number): Promise<{ body: Buffer; truncated: boolean }> {
  return new Promise((resolve, reject) => {
    const stream = decoded(res);
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (truncated: boolean) => {
      if (done) return;
      done = true;
      resolve({ body: Buffer.concat(chunks), truncated });
    };
    stream.on('data', (c: Buffer) => {
      if (done) return;
      const room = maxBytes - size;
      if (c.length >= room) {
        chunks.push(c.subarray(0, room));
        size += room;
        finish(c.length > room || !res.complete);
        res.destroy();
        if (stream !== res) stream.destroy();
        return;
      }
      chunks.push(c);
      size += c.length;
    });
    stream.on('end', () => finish(false));
    stream.on('error', (err) => (done ? undefined : reject(err)));
    res.on('error', (err) => (done ? undefined : reject(err)));
  });
}

function once(url: URL, options: FetchUrlOptions, signal: AbortSignal): Promise<IncomingMessage> {
  const host = bareHost(url);
  if (isIP(host)) assertAddressAllowed(host, options.policy, host);
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'GET',
      headers: {
        'user-agent': options.userAgent,
        accept: 'text/html,application/xhtml+xml,text/plain;q=0.9,application/json;q=0.8,*/*;q=0.5',
        'accept-encoding': 'gzip, deflate, br',
      },
      lookup: guardedLookup(options.policy) as never,
      signal,
    });
    req.on('response', resolve);
    req.on('error', reject);
    req.end();
  });
}

function failure(err: unknown, url: URL, options: FetchUrlOptions, signal: AbortSignal): SkillgateError {
  if (err instanceof SkillgateError) return err;
  if (signal.aborted && options.signal?.aborted) {
    return new SkillgateError('skill.aborted', `The fetch of ${url.href} was cancelled.`);
  }
  if (signal.aborted) {
    return new SkillgateError(
      'handler.http_failed',
      `${url.href} did not answer within ${options.timeoutMs} ms.`,
      {
        url: url.href,
        timed_out: true,
      },
    );
  }
  const e = err as NodeJS.ErrnoException;
  return new SkillgateError('handler.http_failed', `Cannot fetch ${url.href}: ${e.code ?? e.message}.`, {
    url: url.href,
    error: e.code ?? e.message,
  });
}

/**
 * GETs a URL with an address policy checked on every connection (redirects included), a timeout,
 * and a body limit. Non-2xx answers are returned, not thrown; network failures and timeouts throw
 * `handler.http_failed`, refused targets `web.url_refused`.
 */
export async function fetchUrl(raw: string, options: FetchUrlOptions): Promise<FetchedPage> {
  const signals = [AbortSignal.timeout(options.timeoutMs)];
  if (options.signal) signals.push(options.signal);
  const signal = AbortSignal.any(signals);
  let url = parseFetchUrl(raw);
  for (let redirects = 0; ; redirects++) {
    let res: IncomingMessage;
    try {
      res = await once(url, options, signal);
    } catch (err) {
      throw failure(err, url, options, signal);
    }
    const status = res.statusCode ?? 0;
    const location = res.headers.location;
    if (status >= 300 && status < 400 && location) {
      res.resume();
      if (redirects >= options.maxRedirects) {
        throw new SkillgateError(
          'handler.http_failed',
          `Too many redirects (more than ${options.maxRedirects}) from ${raw}.`,
          {
            url: raw,
          },
        );
      }
      url = parseFetchUrl(new URL(location, url).href);
      continue;
    }
    let body: { body: Buffer; truncated: boolean };
    try {
      body = await readLimited(res, options.maxBytes);
    } catch (err) {
      throw failure(err, url, options, signal);
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers[k] = String(v);
    return {
      url: raw,
      finalUrl: url.href,
      status,
      headers,
      body: body.body,
      truncated: body.truncated,
      redirects,
    };
  }
}
