import { z } from 'zod';
import type { Config } from '../../core/config/config-schema.js';
import { SkillgateError } from '../../core/errors.js';
import type { Principal } from '../../core/principal.js';
import { resolvePrincipal } from '../../core/principals.js';
import type { Queryable } from '../../db/db.js';

export const ChatPlatformSchema = z.enum(['slack', 'discord']);
export type ChatPlatform = z.infer<typeof ChatPlatformSchema>;

/** `slack:U123` / `discord:123456789012345678` (a Slack mention `<@U123|name>` is accepted too). */
export const ChatUserRefSchema = z
  .string()
  .transform((s) => s.trim())
  .pipe(z.string().regex(/^(slack|discord):(<@)?[A-Za-z0-9]+(\|[^>]*)?>?$/, 'use slack:U123 or discord:1234'))
  .transform((s) => {
    const [platform, rest] = [s.slice(0, s.indexOf(':')), s.slice(s.indexOf(':') + 1)];
    const userId = rest.replace(/^<@/, '').replace(/(\|[^>]*)?>$/, '');
    return { platform: platform as ChatPlatform, userId };
  });
export type ChatUserRef = z.infer<typeof ChatUserRefSchema>;

export interface ChatIdentity {
  platform: ChatPlatform;
  userId: string;
  tenant: string;
  principalId: string;
  linkedBy: string;
  createdAt: Date;
}

/** Parses `slack:U123`; throws `request.invalid` with the expected shape. */
export function parseChatUserRef(text: string): ChatUserRef {
  const r = ChatUserRefSchema.safeParse(text);
  if (!r.success) {
    throw new SkillgateError(
      'request.invalid',
      `"${text}" is not a chat user: use slack:U123 or discord:1234.`,
      {
        user: text.slice(0, 100),
      },
    );
  }
  return r.data;
}

/**
 * Links a chat user to a configured principal (replacing an earlier link). The principal must exist
 * in the config; the link lives in its tenant.
 */
export async function linkIdentity(
  q: Queryable,
  config: Config,
  args: { user: ChatUserRef; principalId: string; linkedBy: string },
): Promise<ChatIdentity> {
  const p = resolvePrincipal(config, args.principalId);
  const r = await q.query<{ created_at: Date }>(
    `INSERT INTO chat_identities (platform, user_id, tenant, principal_id, linked_by) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (platform, user_id) DO UPDATE SET tenant = $3, principal_id = $4, linked_by = $5, created_at = now()
     RETURNING created_at`,
    [args.user.platform, args.user.userId, p.tenant, p.id, args.linkedBy],
  );
  return {
    platform: args.user.platform,
    userId: args.user.userId,
    tenant: p.tenant,
    principalId: p.id,
    linkedBy: args.linkedBy,
    createdAt: r.rows[0].created_at,
  };
}

/** Removes a link; returns whether there was one. */
export async function unlinkIdentity(q: Queryable, user: ChatUserRef): Promise<boolean> {
  const r = await q.query(
    'DELETE FROM chat_identities WHERE platform = $1 AND user_id = $2 RETURNING user_id',
    [user.platform, user.userId],
  );
  return r.rows.length > 0;
}

/** Every link, optionally of one platform, ordered by platform and user. */
export async function listIdentities(q: Queryable, platform?: ChatPlatform): Promise<ChatIdentity[]> {
  const r = await q.query<{
    platform: ChatPlatform;
    user_id: string;
    tenant: string;
    principal_id: string;
    linked_by: string;
    created_at: Date;
  }>(
    `SELECT * FROM chat_identities ${platform ? 'WHERE platform = $1' : ''} ORDER BY platform, user_id`,
    platform ? [platform] : [],
  );
  return r.rows.map((x) => ({
    platform: x.platform,
    userId: x.user_id,
    tenant: x.tenant,
    principalId: x.principal_id,
    linkedBy: x.linked_by,
    createdAt: x.created_at,
  }));
}

/**
 * The principal a chat user acts as: the linked principal (if it is still configured), else per
 * `config.unknown_principal` a viewer principal `<platform>:<user>` in the default tenant, or none.
 */
export async function principalForChatUser(
  q: Queryable,
  config: Config,
  platform: ChatPlatform,
  userId: string,
  displayName?: string,
): Promise<Principal | undefined> {
  const r = await q.query<{ principal_id: string }>(
    'SELECT principal_id FROM chat_identities WHERE platform = $1 AND user_id = $2',
    [platform, userId],
  );
  const id = r.rows[0]?.principal_id;
  if (id && config.principals[id]) return resolvePrincipal(config, id);
  if (config.unknown_principal === 'viewer') {
    return {
      id: `${platform}:${userId}`,
      tenant: config.tenant,
      roles: ['viewer'],
      displayName: displayName ?? userId,
    };
  }
  return undefined;
}
