import type { WebhookTransform } from '../../core/config/triggers-config.js';
import { SkillgateError } from '../../core/errors.js';
import { renderTemplate } from '../../tools/template/index.js';
import type { AttachmentRef } from './attachments.js';

/** RFC 6901: `/a/b/0`, with `~1` for `/` and `~0` for `~`. Missing paths give undefined. */
export function resolvePointer(doc: unknown, pointer: string): unknown {
  if (pointer === '' || pointer === '/') return pointer === '' ? doc : (doc as Record<string, unknown>)?.[''];
  if (!pointer.startsWith('/')) {
    throw new SkillgateError(
      'webhook.payload_invalid',
      `"${pointer}" is not a JSON pointer (they start with /).`,
    );
  }
  let cur: unknown = doc;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (cur === null || typeof cur !== 'object') return undefined;
    if (key === '__proto__' || key === 'constructor' || key === 'prototype') return undefined;
    if (!Object.hasOwn(cur as object, key)) return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

export interface TransformScope {
  body: unknown;
  /** Request headers, names lower-cased. */
  headers: Record<string, string>;
  attachments: AttachmentRef[];
  webhook: { id: string };
}

/**
 * The skill input of a delivery:
 * - no transform: the body itself (it must be a JSON object), plus `attachments` when files came;
 * - `pointers`: each input field read from the body by JSON pointer (missing ones omitted), plus
 *   `attachments` when files came and no field is named so;
 * - `template`: the template rendered over `{body, headers, attachments, webhook}`.
 * The result must be a JSON object (`webhook.payload_invalid` otherwise).
 */
export function transformPayload(
  transform: WebhookTransform | undefined,
  scope: TransformScope,
): Record<string, unknown> {
  let out: unknown;
  if (transform?.template !== undefined) {
    out = renderTemplate(transform.template, { ...scope });
  } else if (transform?.pointers) {
    const o: Record<string, unknown> = {};
    for (const [field, pointer] of Object.entries(transform.pointers)) {
      const v = resolvePointer(scope.body, pointer);
      if (v !== undefined) o[field] = v;
    }
    if (scope.attachments.length && !('attachments' in o)) o.attachments = scope.attachments;
    out = o;
  } else {
    out =
      scope.body && typeof scope.body === 'object' && !Array.isArray(scope.body)
        ? {
            ...(scope.body as Record<string, unknown>),
            ...(scope.attachments.length ? { attachments: scope.attachments } : {}),
          }
        : scope.body;
  }
  if (!out || typeof out !== 'object' || Array.isArray(out)) {
    throw new SkillgateError(
      'webhook.payload_invalid',
      'The payload (after the webhook transform) must be a JSON object: it becomes the skill input.',
    );
  }
  return out as Record<string, unknown>;
}
