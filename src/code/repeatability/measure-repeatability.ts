import { SkillgateError, toSkillgateError } from '../../core/errors.js';
import { type CanonicalLevel, canonicalize } from '../canonical/canonicalize.js';
import { checkRestrictions } from '../restrictions/check-restrictions.js';
import type { RestrictionSet } from '../restrictions/restriction-set.js';
import type { Contract } from './contract.js';
import {
  computeMetrics,
  type DistributionEntry,
  type RepeatabilityMetrics,
} from './repeatability-metrics.js';
import { type OracleResult, runOracle } from './run-oracle.js';

/** The model seam: one completion for a prompt at a temperature (wired by the agent layer). */
export type GenerateFn = (
  prompt: string,
  options: { temperature: number; signal?: AbortSignal },
) => Promise<string>;

export interface RepeatabilityOptions {
  contract: Contract;
  /** Code supplied by the caller (an MCP client's own model); otherwise `generate` is called `n` times. */
  samples?: string[];
  generate?: GenerateFn;
  n?: number;
  temperature?: number;
  level?: CanonicalLevel;
  restrictionSet?: RestrictionSet;
  /** Samples judged (or generated) at once. Default 2. */
  concurrency?: number;
  signal?: AbortSignal;
}

export interface SampleReport {
  index: number;
  fingerprint: string | null;
  parse_error: string | null;
  oracle: OracleResult;
  violations: number | null;
  strict_violations: number | null;
}

export interface RepeatabilityReport {
  contract: string;
  language: string;
  level: CanonicalLevel;
  source: 'supplied' | 'generated';
  anchor: {
    from: 'reference' | 'first_passing_sample' | 'none';
    fingerprint: string | null;
    sample: number | null;
  };
  metrics: RepeatabilityMetrics;
  distribution: DistributionEntry[];
  samples: SampleReport[];
}

/** Strips one surrounding markdown code fence (models often answer with one). */
export function extractCode(text: string): string {
  const m = /^\s*```[A-Za-z0-9_+-]*\n([\s\S]*?)\n```\s*$/.exec(text);
  return m ? m[1] : text;
}

async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  fn: (x: T, i: number) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i], i);
      }
    }),
  );
  return out;
}

async function fingerprint(code: string, contract: Contract, level: CanonicalLevel) {
  try {
    return { fp: (await canonicalize(code, contract.language, level)).fingerprint, error: null };
  } catch (err) {
    const e = toSkillgateError(err);
    if (e.code !== 'code.parse_failed') throw e;
    return { fp: null, error: e.message };
  }
}

/**
 * Measures how repeatable code generation is for a contract: takes the caller's samples (or draws
 * `n` from `generate`, bounded in parallel), runs each sample's oracle tests in the sandbox,
 * canonicalizes it at `level` (default `structure`), checks it against the restriction set if any,
 * and computes the metrics and the distribution of distinct canonical outputs.
 */
export async function measureRepeatability(o: RepeatabilityOptions): Promise<RepeatabilityReport> {
  const { contract } = o;
  const level = o.level ?? 'structure';
  const concurrency = o.concurrency ?? 2;
  let raw = o.samples;
  let source: RepeatabilityReport['source'] = 'supplied';
  if (!raw || raw.length === 0) {
    if (!o.generate) {
      throw new SkillgateError(
        'code.samples_required',
        'No samples were given and no model is configured for sampling: pass `samples` (code from your own model).',
      );
    }
    const gen = o.generate;
    const n = o.n ?? 10;
    raw = await mapBounded(Array.from({ length: n }), concurrency, async () =>
      extractCode(await gen(contract.prompt, { temperature: o.temperature ?? 0.7, signal: o.signal })),
    );
    source = 'generated';
  }
  const samples = await mapBounded(raw, concurrency, async (code, index): Promise<SampleReport> => {
    const [fp, oracle] = await Promise.all([
      fingerprint(code, contract, level),
      runOracle(contract, code, o.signal),
    ]);
    let violations: number | null = null;
    let strict: number | null = null;
    if (o.restrictionSet && fp.fp) {
      const check = await checkRestrictions(code, contract.language, o.restrictionSet);
      violations = check.violations.length;
      strict = check.counts.strict;
    }
    return {
      index,
      fingerprint: fp.fp,
      parse_error: fp.error,
      oracle,
      violations,
      strict_violations: strict,
    };
  });
  let anchor: RepeatabilityReport['anchor'] = { from: 'none', fingerprint: null, sample: null };
  let anchorRaw: string | null = null;
  if (contract.reference) {
    anchor = {
      from: 'reference',
      fingerprint: (await fingerprint(contract.reference, contract, level)).fp,
      sample: null,
    };
    anchorRaw = contract.reference;
  } else {
    const first = samples.find((s) => s.oracle.passed);
    if (first) {
      anchor = { from: 'first_passing_sample', fingerprint: first.fingerprint, sample: first.index };
      anchorRaw = raw[first.index];
    }
  }
  const { metrics, distribution } = computeMetrics(
    samples.map((s, i) => ({
      raw: raw[i],
      fingerprint: s.fingerprint,
      passed: s.oracle.passed,
      violations: s.violations ?? 0,
    })),
    anchorRaw === null ? null : { raw: anchorRaw, fingerprint: anchor.fingerprint },
    !!o.restrictionSet,
  );
  return {
    contract: contract.id,
    language: contract.language,
    level,
    source,
    anchor,
    metrics,
    distribution,
    samples,
  };
}
