import { z } from 'zod';
import { newId } from '../../core/ids.js';
import type { Db, Queryable } from '../../db/db.js';

/** One exchange in a thread: what was asked, what ran, how it ended. */
export const SessionTurnSchema = z.object({
  at: z.string(),
  principal: z.string(),
  request: z.string(),
  skill: z.string().nullable().default(null),
  input: z.record(z.string(), z.unknown()).default({}),
  runId: z.string().nullable().default(null),
  status: z.string(),
});
export type SessionTurn = z.infer<typeof SessionTurnSchema>;

export const SessionContextSchema = z.object({ turns: z.array(SessionTurnSchema).default([]) });
export type SessionContext = z.infer<typeof SessionContextSchema>;

export interface ChatSession {
  id: string;
  platform: string;
  channelId: string;
  threadId: string;
  tenant: string;
  /** Who opened the thread. */
  principalId: string;
  context: SessionContext;
  createdAt: Date;
  updatedAt: Date;
}

interface SessionRow {
  id: string;
  platform: string;
  channel_id: string;
  thread_id: string;
  tenant: string;
  principal_id: string;
  context: unknown;
  created_at: Date;
  updated_at: Date;
}

function fromRow(r: SessionRow): ChatSession {
  const parsed = SessionContextSchema.safeParse(r.context);
  return {
    id: r.id,
    platform: r.platform,
    channelId: r.channel_id,
    threadId: r.thread_id,
    tenant: r.tenant,
    principalId: r.principal_id,
    context: parsed.success ? parsed.data : { turns: [] },
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** The session of a thread, if one was opened. */
export async function findSession(
  q: Queryable,
  where: { platform: string; channelId: string; threadId: string },
): Promise<ChatSession | undefined> {
  const r = await q.query<SessionRow>(
    'SELECT * FROM chat_sessions WHERE platform = $1 AND channel_id = $2 AND thread_id = $3',
    [where.platform, where.channelId, where.threadId],
  );
  return r.rows[0] ? fromRow(r.rows[0]) : undefined;
}

/** The session of a thread, opened by `principalId` if it does not exist yet (race-safe). */
export async function openSession(
  q: Queryable,
  s: { platform: string; channelId: string; threadId: string; tenant: string; principalId: string },
): Promise<ChatSession> {
  const r = await q.query<SessionRow>(
    `INSERT INTO chat_sessions (id, platform, channel_id, thread_id, tenant, principal_id)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (platform, channel_id, thread_id) DO UPDATE SET updated_at = chat_sessions.updated_at
     RETURNING *`,
    [newId('ses'), s.platform, s.channelId, s.threadId, s.tenant, s.principalId],
  );
  return fromRow(r.rows[0]);
}

/** Appends a turn, keeping the newest `maxTurns`. Returns the new context. */
export async function appendTurn(
  db: Db,
  sessionId: string,
  turn: SessionTurn,
  maxTurns: number,
): Promise<SessionContext> {
  return db.tx(async (q) => {
    const r = await q.query<{ context: unknown }>(
      'SELECT context FROM chat_sessions WHERE id = $1 FOR UPDATE',
      [sessionId],
    );
    const parsed = SessionContextSchema.safeParse(r.rows[0]?.context);
    const turns = [...(parsed.success ? parsed.data.turns : []), turn].slice(-maxTurns);
    const context: SessionContext = { turns };
    await q.query('UPDATE chat_sessions SET context = $2, updated_at = now() WHERE id = $1', [
      sessionId,
      JSON.stringify(context),
    ]);
    return context;
  });
}
