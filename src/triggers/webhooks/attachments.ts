import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { AttachmentsConfigSchema } from '../../core/config/triggers-config.js';
import { SkillgateError } from '../../core/errors.js';
import type { Queryable } from '../../db/db.js';

export type AttachmentLimits = z.infer<typeof AttachmentsConfigSchema>;

/** What a skill receives for an uploaded file: a reference and metadata, never the bytes. */
export const AttachmentRefSchema = z.object({
  /** `attachment:sha256:<hex>` */
  ref: z.string(),
  sha256: z.string(),
  size: z.number().int(),
  content_type: z.string(),
  filename: z.string().nullable(),
  /** Where the file is, for skills running on this host. */
  path: z.string(),
});
export type AttachmentRef = z.infer<typeof AttachmentRefSchema>;

/** Magic numbers of the binary types we accept: the declared type must match the content. */
const SIGNATURES: Record<string, (b: Uint8Array) => boolean> = {
  'application/pdf': (b) => Buffer.from(b.subarray(0, 5)).toString('latin1') === '%PDF-',
  'image/png': (b) =>
    Buffer.from(b.subarray(0, 8)).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  'image/jpeg': (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff,
  'image/gif': (b) => Buffer.from(b.subarray(0, 4)).toString('latin1') === 'GIF8',
  'application/zip': (b) => b[0] === 0x50 && b[1] === 0x4b,
};

function typeAllowed(type: string, allowed: string[]): boolean {
  return allowed.some((a) => a === type || (a.endsWith('/*') && type.startsWith(a.slice(0, -1))));
}

function looksLikeText(b: Uint8Array): boolean {
  const sample = b.subarray(0, 4096);
  if (sample.includes(0)) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(
      sample.length === b.length ? sample : b.subarray(0, 4096 - 4),
    );
    return true;
  } catch {
    return false;
  }
}

/** The folder of an attachment: `$SKILLGATE_HOME/attachments/<first two hex>/<sha256>`. */
export function attachmentPath(home: string, sha256: string): string {
  return join(home, 'attachments', sha256.slice(0, 2), sha256);
}

/**
 * Checks a file against the limits (size -> 413 `request.too_large`; type not allowed, or content
 * not matching its declared type -> 415 `webhook.attachment_rejected`) and stores it
 * content-addressed (the same bytes are stored once). Records its metadata in `attachments`.
 */
export async function storeAttachment(
  q: Queryable,
  home: string,
  tenant: string,
  file: { bytes: Uint8Array; contentType: string; filename?: string },
  limits: AttachmentLimits,
): Promise<AttachmentRef> {
  const type = (file.contentType || 'application/octet-stream').split(';')[0].trim().toLowerCase();
  if (file.bytes.length > limits.max_bytes) {
    throw new SkillgateError(
      'request.too_large',
      `Attachment ${file.filename ?? ''} is ${file.bytes.length} bytes; the limit is ${limits.max_bytes}.`,
      { limit_bytes: limits.max_bytes },
    );
  }
  if (!typeAllowed(type, limits.allowed_types)) {
    throw new SkillgateError('webhook.attachment_rejected', `Attachments of type ${type} are not accepted.`, {
      content_type: type,
    });
  }
  const sniff = SIGNATURES[type];
  const matches = sniff
    ? sniff(file.bytes)
    : type.startsWith('text/') || type === 'application/json'
      ? looksLikeText(file.bytes)
      : true;
  if (!matches) {
    throw new SkillgateError(
      'webhook.attachment_rejected',
      `The content of ${file.filename ?? 'an attachment'} does not match its declared type ${type}.`,
      { content_type: type },
    );
  }
  const sha256 = createHash('sha256').update(file.bytes).digest('hex');
  const path = attachmentPath(home, sha256);
  if (!existsSync(path)) {
    mkdirSync(join(home, 'attachments', sha256.slice(0, 2)), { recursive: true, mode: 0o700 });
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, file.bytes, { mode: 0o600 });
    renameSync(tmp, path);
  }
  const filename = file.filename ? file.filename.replace(/[/\\]/g, '_').slice(0, 255) : null;
  await q.query(
    `INSERT INTO attachments (sha256, size, content_type, filename, tenant) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (sha256) DO NOTHING`,
    [sha256, file.bytes.length, type, filename, tenant],
  );
  return {
    ref: `attachment:sha256:${sha256}`,
    sha256,
    size: file.bytes.length,
    content_type: type,
    filename,
    path,
  };
}
