import { createHmac, timingSafeEqual } from 'node:crypto';
import { SkillgateError } from '../../core/errors.js';

/** The header webhook senders sign with. */
export const SIGNATURE_HEADER = 'x-skillgate-signature';

export interface ParsedSignature {
  /** Unix seconds the sender signed at. */
  t: number;
  /** Every `v1=` value (senders may send one per valid secret during a rotation). */
  v1: string[];
}

/** Parses `t=<unix>,v1=<hex>[,v1=<hex>]`; throws `webhook.signature_malformed`. */
export function parseSignature(header: string | null | undefined): ParsedSignature {
  if (!header) {
    throw new SkillgateError('webhook.signature_malformed', `Missing the X-Skillgate-Signature header.`);
  }
  let t: number | undefined;
  const v1: string[] = [];
  for (const part of header.split(',')) {
    const [k, v, ...rest] = part.trim().split('=');
    if (rest.length || v === undefined) continue;
    if (k === 't' && /^\d{1,12}$/.test(v)) t = Number(v);
    else if (k === 'v1' && /^[0-9a-f]{64}$/i.test(v)) v1.push(v.toLowerCase());
  }
  if (t === undefined || v1.length === 0) {
    throw new SkillgateError(
      'webhook.signature_malformed',
      'X-Skillgate-Signature must look like t=<unix seconds>,v1=<64 hex characters>.',
    );
  }
  return { t, v1 };
}

/** HMAC-SHA256 over `{t}.{raw body}`, hex. */
export function signPayload(secret: string, t: number, raw: Uint8Array | string): string {
  return createHmac('sha256', secret)
    .update(`${t}.`)
    .update(typeof raw === 'string' ? Buffer.from(raw) : raw)
    .digest('hex');
}

/** The header value for a body signed now (or at `t`). */
export function signatureHeader(
  secret: string,
  raw: Uint8Array | string,
  t = Math.floor(Date.now() / 1000),
): string {
  return `t=${t},v1=${signPayload(secret, t, raw)}`;
}

export interface VerifyOptions {
  header: string | null | undefined;
  raw: Uint8Array;
  /** Every secret valid now (the current one, and the previous one during a rotation grace period). */
  secrets: string[];
  /** Accepted age of `t`, both ways, in ms. */
  ttlMs: number;
  now?: Date;
}

/**
 * Verifies a webhook signature: 400 (`webhook.signature_malformed`) for a missing or malformed
 * header, 401 (`webhook.signature_invalid`) when no `v1` matches any valid secret, 410
 * (`webhook.signature_expired`) when a correctly signed request is older (or newer) than the TTL.
 * Every candidate is compared in constant time; the signature is checked before the timestamp, so
 * an unauthenticated caller learns nothing but 401.
 */
export function verifySignature(o: VerifyOptions): { t: number; secretIndex: number } {
  const sig = parseSignature(o.header);
  let matched = -1;
  o.secrets.forEach((secret, i) => {
    const expected = Buffer.from(signPayload(secret, sig.t, o.raw), 'hex');
    for (const v of sig.v1) {
      // Both are 32 bytes (the header parser only keeps 64 hex characters).
      if (timingSafeEqual(expected, Buffer.from(v, 'hex')) && matched < 0) matched = i;
    }
  });
  if (matched < 0) {
    throw new SkillgateError('webhook.signature_invalid', 'The webhook signature does not match.');
  }
  const nowS = (o.now ?? new Date()).getTime() / 1000;
  if (Math.abs(nowS - sig.t) * 1000 > o.ttlMs) {
    throw new SkillgateError(
      'webhook.signature_expired',
      `The signature timestamp is ${Math.round(nowS - sig.t)} s old; accepted: ${Math.round(o.ttlMs / 1000)} s.`,
      { age_s: Math.round(nowS - sig.t) },
    );
  }
  return { t: sig.t, secretIndex: matched };
}
