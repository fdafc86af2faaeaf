export interface PageText {
  /** Media type without parameters (`text/html`), or null when the server sent none. */
  contentType: string | null;
  title: string | null;
  /** Readable text, or null for content that is not text (images, archives, ...). */
  text: string | null;
}

const HTML_OPTIONS = {
  wordwrap: false as const,
  selectors: [
    { selector: 'a', options: { ignoreHref: true } },
    { selector: 'img', format: 'skip' },
    { selector: 'noscript', format: 'skip' },
    { selector: 'svg', format: 'skip' },
    { selector: 'iframe', format: 'skip' },
    { selector: 'template', format: 'skip' },
    { selector: 'button', format: 'skip' },
    { selector: 'h1', options: { uppercase: false } },
    { selector: 'h2', options: { uppercase: false } },
    { selector: 'h3', options: { uppercase: false } },
    { selector: 'h4', options: { uppercase: false } },
    { selector: 'h5', options: { uppercase: false } },
    { selector: 'h6', options: { uppercase: false } },
    { selector: 'table', format: 'dataTable' },
  ],
};

function isTextual(type: string): boolean {
  return (
    type.startsWith('text/') ||
    type === 'application/json' ||
    type.endsWith('+json') ||
    type === 'application/xml' ||
    type.endsWith('+xml') ||
    type === 'application/javascript'
  );
}

function decode(body: Buffer, charset: string | undefined): string {
  try {
    return new TextDecoder(charset ?? 'utf-8').decode(body);
  } catch {
    return new TextDecoder('utf-8').decode(body);
  }
}

/** Squeezes runs of blank lines and trailing spaces. */
function tidy(text: string): string {
  return text
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/**
 * The readable text of a response: HTML is converted to text (scripts, styles, images and link
 * targets dropped; the `<title>` returned apart), other textual types are decoded as they are.
 * Without a content type, a body that looks like HTML is treated as HTML. `html-to-text` is imported
 * on the first HTML page, so an idle server never loads it.
 */
export async function pageText(body: Buffer, contentTypeHeader: string | undefined): Promise<PageText> {
  const [mediaRaw, ...params] = (contentTypeHeader ?? '').split(';');
  const media = mediaRaw.trim().toLowerCase() || null;
  const charset = params
    .map((p) => p.trim().split('='))
    .find(([k]) => k?.toLowerCase() === 'charset')?.[1]
    ?.replace(/"/g, '');
  const raw = media === null || isTextual(media) ? decode(body, charset) : null;
  if (raw === null) return { contentType: media, title: null, text: null };
  const html =
    media === 'text/html' || media === 'application/xhtml+xml' || (media === null && /<html[\s>]/i.test(raw));
  if (!html) return { contentType: media, title: null, text: tidy(raw) };
  const { convert } = await import('html-to-text');
  const titleMatch = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(raw);
  const title = titleMatch
    ? tidy(convert(titleMatch[1], { wordwrap: false })).replace(/\s+/g, ' ') || null
    : null;
  return { contentType: media, title, text: tidy(convert(raw, HTML_OPTIONS)) };
}
