import { z } from 'zod';

const UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** Parses `500ms`, `30s`, `15m`, `24h`, `30d`, `2w` (or a bare number of milliseconds). */
export function parseDuration(text: string | number): number {
  if (typeof text === 'number') return text;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)?\s*$/.exec(text);
  if (!m) throw new Error(`"${text}" is not a duration (use e.g. 30s, 15m, 24h, 30d)`);
  return Math.round(Number(m[1]) * UNITS[m[2] ?? 'ms']);
}

/** A zod field accepting a duration string or milliseconds, producing milliseconds. */
export const DurationSchema = z.union([z.string(), z.number().nonnegative()]).transform((v, ctx) => {
  try {
    return parseDuration(v);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
    return z.NEVER;
  }
});
