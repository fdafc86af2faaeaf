import type { Queryable } from '../../db/db.js';

/**
 * Claims a chat delivery (a Slack event id, a Discord interaction id, a click) so that retries and
 * duplicates are handled once, on any replica: true for the first claim, false afterwards.
 */
export async function claimChatEvent(q: Queryable, platform: string, key: string): Promise<boolean> {
  const r = await q.query(
    'INSERT INTO chat_events (platform, event_key) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING event_key',
    [platform, key.slice(0, 300)],
  );
  return r.rows.length === 1;
}

/** Forgets claims older than `olderThanMs` (default one day; Slack retries for at most an hour). */
export async function pruneChatEvents(q: Queryable, now: Date, olderThanMs = 86_400_000): Promise<number> {
  const r = await q.query('DELETE FROM chat_events WHERE created_at < $1 RETURNING event_key', [
    new Date(now.getTime() - olderThanMs),
  ]);
  return r.rows.length;
}
