/** One judged sample, as the metrics see it. */
export interface SampleFacts {
  raw: string;
  /** Fingerprint at the chosen level; null when the sample does not parse. */
  fingerprint: string | null;
  passed: boolean;
  violations: number;
}

export interface RepeatabilityMetrics {
  n: number;
  /** Share of samples byte-identical to the most common raw output. */
  R_raw: number;
  /** Share of samples whose trimmed raw text equals the anchor's trimmed raw text. */
  R_anchor_pre: number;
  /** Share of samples whose canonical fingerprint equals the anchor's. */
  R_anchor_post: number;
  /** R_anchor_post - R_anchor_pre: repeatability recovered by canonicalization. */
  Delta_rescue: number;
  /** Share of samples passing every oracle test. */
  pass_rate: number;
  /** Mean restriction violations per sample (null without a restriction set). */
  violations_per_sample: number | null;
  distinct_raw: number;
  distinct_canonical: number;
}

export interface DistributionEntry {
  fingerprint: string | null;
  count: number;
  share: number;
  /** Sample indices (0-based) with this canonical form. */
  samples: number[];
  passed: boolean;
}

const round = (x: number) => Math.round(x * 1e6) / 1e6;

/**
 * The repeatability metrics of N samples against an anchor (the reference solution's raw text and
 * fingerprint, or else the first oracle-passing sample's; none -> the anchor metrics are 0).
 * Shares are rounded to 6 decimals. Pure and deterministic.
 */
export function computeMetrics(
  samples: SampleFacts[],
  anchor: { raw: string; fingerprint: string | null } | null,
  withRestrictions: boolean,
): { metrics: RepeatabilityMetrics; distribution: DistributionEntry[] } {
  const n = samples.length;
  const rawCounts = new Map<string, number>();
  for (const s of samples) rawCounts.set(s.raw, (rawCounts.get(s.raw) ?? 0) + 1);
  const maxRaw = Math.max(0, ...rawCounts.values());
  const pre = anchor ? samples.filter((s) => s.raw.trim() === anchor.raw.trim()).length : 0;
  const post = anchor?.fingerprint ? samples.filter((s) => s.fingerprint === anchor.fingerprint).length : 0;
  const groups = new Map<string, DistributionEntry>();
  samples.forEach((s, i) => {
    const key = s.fingerprint ?? `unparsed:${i}`;
    const g = groups.get(key) ?? {
      fingerprint: s.fingerprint,
      count: 0,
      share: 0,
      samples: [],
      passed: s.passed,
    };
    g.count++;
    g.samples.push(i);
    groups.set(key, g);
  });
  const distribution = [...groups.values()]
    .map((g) => ({ ...g, share: n ? round(g.count / n) : 0 }))
    .sort((a, b) => b.count - a.count || a.samples[0] - b.samples[0]);
  const share = (k: number) => (n ? round(k / n) : 0);
  return {
    metrics: {
      n,
      R_raw: share(maxRaw),
      R_anchor_pre: share(pre),
      R_anchor_post: share(post),
      Delta_rescue: round(share(post) - share(pre)),
      pass_rate: share(samples.filter((s) => s.passed).length),
      violations_per_sample: withRestrictions
        ? n
          ? round(samples.reduce((a, s) => a + s.violations, 0) / n)
          : 0
        : null,
      distinct_raw: rawCounts.size,
      distinct_canonical: groups.size,
    },
    distribution,
  };
}
