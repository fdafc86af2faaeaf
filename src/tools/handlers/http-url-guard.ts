import { SkillgateError } from '../../core/errors.js';

/** What a rendered URL must keep from its template (derived once, at load time). */
export interface UrlGuard {
  /** `https:` */
  protocol: string;
  /** `host[:port]` exactly as the URL parser normalises it. */
  host: string;
  /** The static path text before the first placeholder, normalised (`/v1/users/`). */
  pathPrefix: string;
  /** True when the first placeholder is in the query or fragment: the path must then be equal. */
  exactPath: boolean;
}

/**
 * Derives the guard of a URL template from its static part (the text before the first `{{`).
 * The origin must be literal: the static part has to reach past the host (`https://h/...`), and
 * the protocol must be http or https. Throws `skill.invalid` otherwise.
 */
export function urlGuardOf(template: string, skillId: string): UrlGuard {
  const cut = template.indexOf('{{');
  const staticPart = cut < 0 ? template : template.slice(0, cut);
  const invalid = (why: string) =>
    new SkillgateError('skill.invalid', `Skill ${skillId}: URL template "${template}" ${why}.`, {
      skill: skillId,
    });
  if (cut >= 0 && !/^[a-z][a-z0-9+.-]*:\/\/[^/?#]+[/?#]/i.test(staticPart)) {
    throw invalid('must have a literal origin: put placeholders only after the first "/" of the path');
  }
  let parsed: URL;
  try {
    parsed = new URL(staticPart);
  } catch {
    throw invalid('is not a valid URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw invalid('must use http or https');
  const rest = staticPart.slice(staticPart.indexOf('//') + 2);
  const exactPath = cut >= 0 && /[?#]/.test(rest);
  return { protocol: parsed.protocol, host: parsed.host, pathPrefix: parsed.pathname, exactPath };
}

/**
 * The SSRF guard: the rendered URL must keep the template's protocol, host and port, and its
 * (normalised) path must start with the template's static path prefix — or equal it when the
 * placeholders are only in the query. Returns the parsed URL or throws
 * `handler.http_url_rejected` (the message shows `shownUrl`, which must have secrets redacted).
 */
export function checkUrl(rendered: string, guard: UrlGuard, skillId: string, shownUrl: string): URL {
  const reject = (why: string) =>
    new SkillgateError(
      'handler.http_url_rejected',
      `Skill ${skillId}: refused to request ${shownUrl}: ${why}.`,
      {
        skill: skillId,
      },
    );
  let url: URL;
  try {
    url = new URL(rendered);
  } catch {
    throw reject('not a valid URL');
  }
  if (url.protocol !== guard.protocol || url.host !== guard.host) {
    throw reject(`the origin must stay ${guard.protocol}//${guard.host}`);
  }
  if (url.username || url.password) throw reject('credentials in the URL are not allowed');
  const pathOk = guard.exactPath
    ? url.pathname === guard.pathPrefix
    : url.pathname.startsWith(guard.pathPrefix);
  if (!pathOk) throw reject(`the path must ${guard.exactPath ? 'be' : 'start with'} ${guard.pathPrefix}`);
  return url;
}
