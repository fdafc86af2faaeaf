import { SkillgateError } from '../errors.js';

export interface TokenBucketOptions {
  burst: number;
  perSecond: number;
  now?: () => number;
  /** Buckets kept at most; idle ones are dropped first. Default 10,000. */
  maxKeys?: number;
}

/**
 * An in-process token bucket per key. Each replica limits on its own (documented): limits are a
 * guard against floods, not an accounting mechanism (budgets are transactional in the database).
 */
export class TokenBucketLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly now: () => number;

  constructor(private readonly options: TokenBucketOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Takes a token, or returns the seconds to wait. */
  take(key: string): { ok: true } | { ok: false; retryAfterS: number } {
    const t = this.now();
    const b = this.buckets.get(key) ?? { tokens: this.options.burst, at: t };
    b.tokens = Math.min(this.options.burst, b.tokens + ((t - b.at) / 1000) * this.options.perSecond);
    b.at = t;
    this.buckets.delete(key);
    this.buckets.set(key, b);
    if (this.buckets.size > (this.options.maxKeys ?? 10_000)) {
      this.buckets.delete(this.buckets.keys().next().value as string);
    }
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterS: Math.ceil((1 - b.tokens) / this.options.perSecond) };
  }
}

export function rateLimitedError(what: string, retryAfterS: number): SkillgateError {
  return new SkillgateError('rate.limited', `Too many requests for ${what}; retry in ${retryAfterS} s.`, {
    retry_after_s: retryAfterS,
  });
}
