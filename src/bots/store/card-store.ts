import { z } from 'zod';
import type { Queryable } from '../../db/db.js';

/** Where a card (a message showing an approval) lives: enough to edit it and to answer in its thread. */
export const CardRefSchema = z.object({
  platform: z.enum(['slack', 'discord']),
  channel: z.string(),
  /** Slack `ts`, Discord message id. */
  messageId: z.string(),
  /** Slack `thread_ts` the card is in (results go there); Discord threads are channels. */
  thread: z.string().optional(),
  /** The approval state the card shows (`pending:<votes>`, `approved`, `executed`, ...); see `claimCardStatus`. */
  rendered: z.string().default('pending'),
  /** Posted in the requester's thread: the run's result is posted there. */
  origin: z.boolean().default(false),
});
export type CardRef = z.infer<typeof CardRefSchema>;

export interface StoredCard {
  /** Row id in `approval_messages`. */
  id: number;
  approvalId: string;
  ref: CardRef;
}

/** The cards of one platform that show `approvalId`. */
export async function cardsOf(q: Queryable, approvalId: string, platform: string): Promise<StoredCard[]> {
  const r = await q.query<{ id: number; approval_id: string; ref: unknown }>(
    'SELECT id, approval_id, ref FROM approval_messages WHERE approval_id = $1 AND channel = $2 ORDER BY id',
    [approvalId, platform],
  );
  return r.rows.flatMap((row) => {
    const ref = CardRefSchema.safeParse(row.ref);
    return ref.success ? [{ id: row.id, approvalId: row.approval_id, ref: ref.data }] : [];
  });
}

/**
 * Cards of a platform whose approval moved on since they were rendered (decided, expired, executed
 * in another process or replica), oldest first.
 */
export async function staleCards(q: Queryable, platform: string, limit = 50): Promise<StoredCard[]> {
  const r = await q.query<{ id: number; approval_id: string; ref: unknown }>(
    `SELECT m.id, m.approval_id, m.ref FROM approval_messages m JOIN approvals a ON a.id = m.approval_id
     WHERE m.channel = $1 AND split_part(COALESCE(m.ref->>'rendered', 'pending'), ':', 1) <> a.status
       AND split_part(COALESCE(m.ref->>'rendered', 'pending'), ':', 1) NOT IN ('executed', 'failed', 'denied', 'expired', 'cancelled')
     ORDER BY m.id LIMIT $2`,
    [platform, limit],
  );
  return r.rows.flatMap((row) => {
    const ref = CardRefSchema.safeParse(row.ref);
    return ref.success ? [{ id: row.id, approvalId: row.approval_id, ref: ref.data }] : [];
  });
}

/**
 * Moves a card's rendered status from anything else to `status`; true for exactly one caller (on
 * any replica), who then edits the card (and posts the result when the run finished).
 */
export async function claimCardStatus(q: Queryable, cardId: number, status: string): Promise<boolean> {
  const r = await q.query(
    `UPDATE approval_messages SET ref = jsonb_set(ref, '{rendered}', to_jsonb($2::text))
     WHERE id = $1 AND COALESCE(ref->>'rendered', 'pending') <> $2 RETURNING id`,
    [cardId, status],
  );
  return r.rows.length === 1;
}
