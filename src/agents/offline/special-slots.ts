/**
 * Values with a shape of their own: source code in a request, its language, and a schedule in
 * words as a cron expression. Each returns undefined when the text does not say it: no guessing.
 */

const LANGUAGES: [RegExp, string][] = [
  [/\b(?:python|py)\b/i, 'python'],
  [/\btypescript\b|\bts\b/i, 'typescript'],
  [/\b(?:javascript|js|node(?:\.js)?)\b/i, 'javascript'],
  [/\brust\b/i, 'rust'],
  [/\bgolang\b|\bgo code\b/i, 'go'],
  [/\bjava\b/i, 'java'],
  [/(?<![\w#+])C(?![\w#+])|\bc code\b|\bc function\b/, 'c'],
];

/** The programming language a request names ("this C code", "python"). */
export function languageIn(text: string): string | undefined {
  const prose = text.replace(/```[\s\S]*?```|`[^`]*`/g, ' ');
  for (const [re, lang] of LANGUAGES) if (re.test(prose)) return lang;
  return undefined;
}

/** Code in a request: a fenced block, inline backticks, or what follows a colon when it looks like code. */
export function codeIn(text: string): string | undefined {
  const fence = /```[a-zA-Z0-9+#-]*\n?([\s\S]*?)```/.exec(text);
  if (fence?.[1].trim()) return fence[1].trim();
  const tick = /`([^`]{3,})`/.exec(text);
  if (tick) return tick[1].trim();
  const colon = text.indexOf(':');
  if (colon >= 0) {
    const rest = text.slice(colon + 1).trim();
    if (/[(){};=]/.test(rest) && rest.length >= 5) return rest;
  }
  return undefined;
}

const DAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

function timeIn(text: string): { h: number; m: number } | undefined {
  const t = /\bat\s+(\d{1,2})(?::(\d{2}))?\s*(am|pm)?\b|\b(noon|midnight)\b/i.exec(text);
  if (!t) return undefined;
  if (t[4]) return t[4].toLowerCase() === 'noon' ? { h: 12, m: 0 } : { h: 0, m: 0 };
  let h = Number(t[1]);
  const m = Number(t[2] ?? 0);
  const ampm = t[3]?.toLowerCase();
  if (ampm === 'pm' && h < 12) h += 12;
  if (ampm === 'am' && h === 12) h = 0;
  return h < 24 && m < 60 ? { h, m } : undefined;
}

/**
 * A recurring schedule in words as a 5-field cron expression: "every 15 minutes", "hourly",
 * "every day at 6pm", "every weekday at 8am", "every Monday at 9". Day-based schedules need a time.
 */
export function cronIn(text: string): string | undefined {
  const lower = text.toLowerCase();
  const mins = /\bevery\s+(\d{1,2})\s*(?:minutes?|mins?)\b/.exec(lower);
  if (mins && Number(mins[1]) > 0 && Number(mins[1]) < 60) return `*/${Number(mins[1])} * * * *`;
  if (/\b(?:every hour|hourly)\b/.test(lower)) return '0 * * * *';
  const time = timeIn(text);
  if (!time) return undefined;
  const at = `${time.m} ${time.h}`;
  if (/\bevery\s+weekday\b|\bon weekdays\b|\bweekdays\b/.test(lower)) return `${at} * * 1-5`;
  const day = DAYS.findIndex((d) => new RegExp(`\\bevery\\s+${d}\\b|\\b${d}s\\b`).test(lower));
  if (day >= 0) return `${at} * * ${day}`;
  if (/\bevery\s+day\b|\bdaily\b|\beach day\b|\bevery morning\b|\bevery evening\b/.test(lower))
    return `${at} * * *`;
  return undefined;
}
