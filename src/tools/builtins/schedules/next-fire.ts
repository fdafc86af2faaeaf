import { Cron } from 'croner';
import { SkillgateError } from '../../../core/errors.js';

/** True for an IANA time zone name this runtime knows (`UTC`, `Europe/Berlin`, ...). */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/**
 * A cron expression (5 fields, or 6 with seconds first) in a time zone, parsed by croner; throws
 * `schedule.invalid` naming the problem. Daylight-saving changes follow the zone's rules.
 */
export function parseCron(expression: string, timezone: string): Cron {
  if (!isTimeZone(timezone)) {
    throw new SkillgateError(
      'schedule.invalid',
      `Unknown time zone "${timezone}" (use an IANA name such as Europe/Berlin).`,
      {
        timezone,
      },
    );
  }
  try {
    return new Cron(expression, { timezone, paused: true });
  } catch (err) {
    throw new SkillgateError(
      'schedule.invalid',
      `Invalid cron expression "${expression}": ${(err as Error).message}`,
      {
        cron: expression,
      },
    );
  }
}

/** The first fire time strictly after `after` (null when the expression never fires again). */
export function nextFireAfter(expression: string, timezone: string, after: Date): Date | null {
  return parseCron(expression, timezone).nextRun(after);
}

/** The next `n` fire times after `after`. */
export function nextFires(expression: string, timezone: string, after: Date, n: number): Date[] {
  return parseCron(expression, timezone).nextRuns(n, after);
}
