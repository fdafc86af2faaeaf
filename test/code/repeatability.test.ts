import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractPresets, resolveContract } from '../../src/code/repeatability/contract.js';
import { extractCode, measureRepeatability } from '../../src/code/repeatability/measure-repeatability.js';
import { computeMetrics } from '../../src/code/repeatability/repeatability-metrics.js';
import { listRepeatability, saveRepeatability } from '../../src/code/repeatability/repeatability-store.js';
import { restrictionPresets } from '../../src/code/restrictions/restriction-presets.js';
import { SkillgateError } from '../../src/core/errors.js';
import type { PgliteDb } from '../../src/db/pglite-db.js';
import { createTestDb } from '../helpers/test-db.js';

const GCD_A =
  'def gcd(a, b):\n    a, b = abs(a), abs(b)\n    while b:\n        a, b = b, a % b\n    return a\n';
/** Same program, other layout, comments and names. */
const GCD_B =
  'def gcd(x, y):\n    # Euclid\n    x, y = abs(x), abs(y)\n    while y:\n        x, y = y, x % y\n    return x\n';
const GCD_WRONG = 'def gcd(a, b):\n    return min(a, b)\n';
const GCD_LOOP = 'def gcd(a, b):\n    while True:\n        pass\n';

describe('code.repeatability core', () => {
  it('ships the fibonacci_basic, slugify, fizzbuzz and gcd contracts whose references pass their oracles', async () => {
    const presets = contractPresets();
    expect([...presets.keys()].sort()).toEqual(['fibonacci_basic', 'fizzbuzz', 'gcd', 'slugify']);
    for (const c of presets.values()) {
      const r = await measureRepeatability({ contract: c, samples: [c.reference!] });
      expect({ id: c.id, pass: r.metrics.pass_rate, post: r.metrics.R_anchor_post }).toEqual({
        id: c.id,
        pass: 1,
        post: 1,
      });
    }
  });

  it('computes the metrics from raw text, the anchor and fingerprints', () => {
    const s = (raw: string, fingerprint: string | null, passed = true, violations = 0) => ({
      raw,
      fingerprint,
      passed,
      violations,
    });
    const { metrics, distribution } = computeMetrics(
      [s('A', 'f1'), s('A', 'f1'), s('B', 'f1', true, 2), s('C', 'f2', false), s('D', null, false)],
      { raw: ' A\n', fingerprint: 'f1' },
      true,
    );
    expect(metrics).toEqual({
      n: 5,
      R_raw: 0.4,
      R_anchor_pre: 0.4,
      R_anchor_post: 0.6,
      Delta_rescue: 0.2,
      pass_rate: 0.6,
      violations_per_sample: 0.4,
      distinct_raw: 4,
      distinct_canonical: 3,
    });
    expect(distribution[0]).toEqual({
      fingerprint: 'f1',
      count: 3,
      share: 0.6,
      samples: [0, 1, 2],
      passed: true,
    });
  });

  it('measures supplied samples: canonicalization rescues layout and naming differences; bad samples fail cleanly', async () => {
    const contract = contractPresets().get('gcd')!;
    const r = await measureRepeatability({
      contract,
      samples: [GCD_A, GCD_B, GCD_A, GCD_WRONG, GCD_LOOP, 'def gcd(a, b:\n'],
      restrictionSet: restrictionPresets().get('nasa-power-of-ten'),
    });
    expect(r.anchor.from).toBe('reference');
    expect(r.metrics).toMatchObject({
      n: 6,
      R_raw: 0.333333,
      R_anchor_pre: 0.333333,
      R_anchor_post: 0.5,
      Delta_rescue: 0.166667,
      pass_rate: 0.5,
    });
    expect(r.samples[4].oracle).toMatchObject({ passed: false, error: expect.stringMatching(/limit/) });
    expect(r.samples[5]).toMatchObject({
      fingerprint: null,
      parse_error: expect.stringMatching(/does not parse/),
    });
    expect(r.samples[0].violations).toBeGreaterThan(0);
    expect(r.distribution[0]).toMatchObject({ count: 3, samples: [0, 1, 2], passed: true });
  }, 60_000);

  it('anchors on the first passing sample when the contract has no reference', async () => {
    const contract = resolveContract({
      ...contractPresets().get('gcd')!,
      id: 'gcd_noref',
      reference: undefined,
    });
    const r = await measureRepeatability({ contract, samples: [GCD_WRONG, GCD_B, GCD_A] });
    expect(r.anchor).toMatchObject({ from: 'first_passing_sample', sample: 1 });
    expect(r.metrics.R_anchor_pre).toBeCloseTo(1 / 3, 5);
    expect(r.metrics.R_anchor_post).toBeCloseTo(2 / 3, 5);
  });

  it('samples through the injected generate seam at the requested temperature, bounded in parallel', async () => {
    const contract = contractPresets().get('fizzbuzz')!;
    const seen: number[] = [];
    let active = 0;
    let maxActive = 0;
    const r = await measureRepeatability({
      contract,
      n: 5,
      temperature: 0.3,
      concurrency: 2,
      generate: async (prompt, { temperature }) => {
        expect(prompt).toBe(contract.prompt);
        seen.push(temperature);
        active++;
        maxActive = Math.max(maxActive, active);
        await new Promise((res) => setTimeout(res, 5));
        active--;
        return `\`\`\`javascript\n${contract.reference}\n\`\`\``;
      },
    });
    expect(seen).toEqual([0.3, 0.3, 0.3, 0.3, 0.3]);
    expect(maxActive).toBeLessThanOrEqual(2);
    expect(r).toMatchObject({
      source: 'generated',
      metrics: { n: 5, pass_rate: 1, R_raw: 1, R_anchor_post: 1 },
    });
    expect(extractCode('```py\nx = 1\n```')).toBe('x = 1');
  });

  it('asks for samples when no model is wired', async () => {
    const err = await measureRepeatability({ contract: contractPresets().get('gcd')! }).catch((e) => e);
    expect(SkillgateError.is(err, 'code.samples_required')).toBe(true);
  });

  describe('stored results', () => {
    let db: PgliteDb;
    beforeAll(async () => {
      db = await createTestDb();
    });
    afterAll(async () => {
      await db.close();
    });

    it('stores results per tenant and lists them newest first for comparison', async () => {
      const contract = contractPresets().get('gcd')!;
      const first = await measureRepeatability({ contract, samples: [GCD_A, GCD_WRONG] });
      const second = await measureRepeatability({ contract, samples: [GCD_A, GCD_B] });
      const id1 = await saveRepeatability(db, 'default', first);
      const id2 = await saveRepeatability(db, 'default', second);
      const list = await listRepeatability(db, 'default', 'gcd');
      expect(list.map((x) => x.id)).toEqual([id2, id1]);
      expect(list[0].metrics.R_anchor_post).toBe(1);
      expect(list[1].metrics.pass_rate).toBe(0.5);
      expect(await listRepeatability(db, 'other', 'gcd')).toEqual([]);
    });
  });
});
