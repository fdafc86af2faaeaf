import { stringify } from 'yaml';
import { clamp } from '../chat-message.js';

/** A value as readable YAML for a code block, cut to `max` characters (default 1800). */
export function formatValue(value: unknown, max = 1800): string {
  if (value === undefined || value === null) return '(nothing)';
  if (typeof value === 'string') return clamp(value, max);
  let text: string;
  try {
    text = stringify(value, { lineWidth: 100 }).trimEnd();
  } catch {
    text = String(value);
  }
  return clamp(text, max);
}

/** `in 23 h`, `in 5 min`, `2 min ago`. */
export function relativeTime(target: Date, now: Date): string {
  const ms = target.getTime() - now.getTime();
  const abs = Math.abs(ms);
  const text =
    abs < 90_000
      ? `${Math.max(1, Math.round(abs / 1000))} s`
      : abs < 5_400_000
        ? `${Math.round(abs / 60_000)} min`
        : abs < 172_800_000
          ? `${Math.round(abs / 3_600_000)} h`
          : `${Math.round(abs / 86_400_000)} d`;
  return ms >= 0 ? `in ${text}` : `${text} ago`;
}

/** `2025-01-31 14:05 UTC`. */
export function utcMinute(d: Date): string {
  return `${new Date(d).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
