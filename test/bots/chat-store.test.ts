import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../src/bots/chat-message.js';
import { ProgressStatus } from '../../src/bots/progress-status.js';
import { claimChatEvent, pruneChatEvents } from '../../src/bots/store/event-claims.js';
import { appendTurn, findSession, openSession } from '../../src/bots/store/session-store.js';
import type { EngineEvent } from '../../src/core/events.js';
import type { PgliteDb } from '../../src/db/pglite-db.js';
import { createTestDb } from '../helpers/test-db.js';

describe('chat storage', () => {
  let db: PgliteDb;
  beforeAll(async () => {
    db = await createTestDb();
  });
  afterAll(async () => {
    await db?.close();
  });

  it('claims a delivery once per platform, and forgets old claims', async () => {
    expect(await claimChatEvent(db, 'slack', 'ev:1')).toBe(true);
    expect(await claimChatEvent(db, 'slack', 'ev:1')).toBe(false);
    expect(await claimChatEvent(db, 'discord', 'ev:1')).toBe(true);
    expect(await pruneChatEvents(db, new Date(Date.now() + 2 * 86_400_000))).toBe(2);
    expect(await claimChatEvent(db, 'slack', 'ev:1')).toBe(true);
  });

  it('opens one session per thread (race-safe) and keeps the newest turns', async () => {
    const where = {
      platform: 'slack',
      channelId: 'C1',
      threadId: '1.1',
      tenant: 'default',
      principalId: 'alice',
    };
    const [a, b] = await Promise.all([
      openSession(db, where),
      openSession(db, { ...where, principalId: 'bob' }),
    ]);
    expect(a.id).toBe(b.id);
    for (let i = 0; i < 5; i++) {
      await appendTurn(
        db,
        a.id,
        {
          at: '',
          principal: 'alice',
          request: `r${i}`,
          skill: 'demo.echo',
          input: { i },
          runId: null,
          status: 'succeeded',
        },
        3,
      );
    }
    const s = await findSession(db, where);
    expect(s?.context.turns.map((t) => t.request)).toEqual(['r2', 'r3', 'r4']);
  });
});

describe('progress status', () => {
  it('edits one message, never two edits at once, and always shows the final state', async () => {
    const shown: ChatMessage[] = [];
    let inFlight = 0;
    let overlapped = false;
    const sink = {
      show: async (m: ChatMessage) => {
        inFlight += 1;
        if (inFlight > 1) overlapped = true;
        await new Promise((r) => setImmediate(r));
        shown.push(m);
        inFlight -= 1;
        return { channel: 'C', messageId: '1' };
      },
    };
    const p = new ProgressStatus(sink, 'deploy', { minIntervalMs: 0 });
    await p.start();
    const ev = (type: EngineEvent['type'], data: Record<string, unknown>): EngineEvent => ({
      type,
      requestId: 'req',
      runId: 'run_1',
      tenant: 'default',
      ts: new Date(),
      data,
    });
    p.onEvent(ev('request_received', {}));
    for (let i = 0; i < 20; i++)
      p.onEvent(ev('step_progress', { step: `s${i}`, skill: 'x', status: 'succeeded' }));
    await p.finish({ text: 'done' });
    expect(overlapped).toBe(false);
    expect(shown.length).toBeLessThan(22);
    expect(shown.at(-1)?.text).toBe('done');
    expect(shown.at(-1)?.lines).toContain('• s19 (x): succeeded');
  });
});
