import { randomUUID } from 'node:crypto';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  ElicitRequestSchema,
  type JSONRPCMessage,
  type JSONRPCRequest,
} from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/db.js';
import { CallRegistry } from '../../src/mcp/http/call-registry.js';
import { createPostgresTestDb, createTestDb, realPostgresUrl } from '../helpers/test-db.js';
import { rawRequest, rpcHeaders } from './helpers/http-harness.js';
import {
  initSession,
  percentiles,
  postSse,
  type ReplicaPair,
  type SseCall,
  splitFetch,
  startReplicaPair,
} from './helpers/replica-pair.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(check: () => boolean | Promise<boolean>, ms = 8000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await sleep(20);
  }
}

/** The next request or response on an SSE answer, skipping notifications (logging, progress). */
async function nextNonNotification(call: SseCall): Promise<JSONRPCMessage> {
  for (;;) {
    const m = await call.next();
    if ('id' in m) return m;
  }
}

const backends: { name: string; open(): Promise<{ db: Db; drop(): Promise<void> }> }[] = [
  {
    name: 'pglite (one in-process database shared by both replicas)',
    open: async () => {
      const db = await createTestDb();
      return { db, drop: () => db.close() };
    },
  },
];
if (realPostgresUrl()) {
  backends.push({ name: 'postgres (LISTEN/NOTIFY on a real server)', open: () => createPostgresTestDb() });
} else {
  describe.skip('MCP relay across replicas on a real Postgres', () => {
    it.skip('skipped: set SKILLGATE_TEST_DATABASE_URL to run against a real server', () => {});
  });
}

describe.each(backends)('MCP over HTTP across two replicas on $name', (backend) => {
  let pair: ReplicaPair;
  let drop: () => Promise<void>;
  let local: { token: string; id: string };
  let otherToken: string;
  const clients: Client[] = [];

  /** An SDK client on replica A whose answers and cancellations land on replica B. */
  const connectSplit = async (caps = {}) => {
    const log: { what: string; status: number }[] = [];
    const client = new Client({ name: 'split-client', version: '1.0.0' }, { capabilities: caps });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(pair.a.h.mcpUrl), {
        requestInit: { headers: { authorization: `Bearer ${local.token}` } },
        fetch: splitFetch(pair.b.h.mcpUrl, log),
      }),
    );
    clients.push(client);
    return { client, log };
  };
  const lastRun = async (skill: string) =>
    (
      await pair.a.app.db.query<{ status: string; error: { code: string } | null }>(
        'SELECT status, error FROM runs WHERE skill_id = $1 ORDER BY created_at DESC LIMIT 1',
        [skill],
      )
    ).rows[0];

  beforeAll(async () => {
    const opened = await backend.open();
    drop = opened.drop;
    pair = await startReplicaPair(opened.db);
    const created = await pair.a.h.tokens.create({ name: 'local-a', principal: 'local', createdBy: 'test' });
    local = { token: created.token, id: created.record.id };
    // Another token of the same principal: answers are bound to the token, not only to the principal.
    otherToken = await pair.b.h.tokenFor('local', 'local-b');
  });
  afterAll(async () => {
    for (const c of clients) await c.close().catch(() => {});
    await pair?.close();
    await drop?.();
  });

  it('runs the call on A with the decision the client posted to B', async () => {
    const { client, log } = await connectSplit({ elicitation: { form: {} } });
    let asked = 0;
    client.setRequestHandler(ElicitRequestSchema, async () => {
      asked += 1;
      return { action: 'accept', content: { decision: 'approve', comment: 'answered via B' } };
    });
    const r = await client.callTool({ name: 'mcpdemo_note', arguments: { note: 'decided on B' } });
    expect(asked).toBe(1);
    expect(log).toEqual([{ what: 'response', status: 202 }]);
    expect(r.structuredContent).toMatchObject({ written: 'decided on B' });
    expect(pair.a.app.fx.notes).toEqual(['decided on B']);
    expect(pair.b.app.fx.notes).toEqual([]);
  });

  it('aborts the run on A when the client cancels through B', async () => {
    const { client, log } = await connectSplit();
    const controller = new AbortController();
    const call = client.callTool({ name: 'mcpdemo_slow', arguments: {} }, undefined, {
      signal: controller.signal,
    });
    await waitFor(() => (pair.a.app.fx.calls.slow ?? 0) > 0 && pair.a.relay.registry.inFlight > 0);
    controller.abort();
    await expect(call).rejects.toThrow();
    await waitFor(async () => (await lastRun('mcpdemo.slow'))?.error?.code === 'skill.aborted');
    await waitFor(() => log.length > 0);
    expect(log).toEqual([{ what: 'notifications/cancelled', status: 202 }]);
    expect(pair.a.app.fx.calls.slow_finished).toBeUndefined();
    await waitFor(() => pair.a.relay.registry.inFlight === 0);
  });

  it('does not deliver an answer or a cancellation that another token posts with the same ids', async () => {
    const sid = await initSession(pair.a.h.mcpUrl, local.token, { elicitation: { form: {} } });
    const call = await postSse(pair.a.h.mcpUrl, local.token, sid, {
      jsonrpc: '2.0',
      id: 'note-1',
      method: 'tools/call',
      params: { name: 'mcpdemo_note', arguments: { note: 'not yours' } },
    });
    const ask = (await nextNonNotification(call)) as JSONRPCRequest;
    expect(ask.method).toBe('elicitation/create');
    const answer = (decision: string) =>
      JSON.stringify({ jsonrpc: '2.0', id: ask.id, result: { action: 'accept', content: { decision } } });
    const foreign = await rawRequest(pair.b.h.mcpUrl, {
      headers: rpcHeaders(otherToken, { 'mcp-session-id': sid }),
      body: answer('deny'),
    });
    expect(foreign.status).toBe(202);
    await sleep(300);
    const pending = await pair.a.app.db.query<{ status: string }>(
      `SELECT a.status FROM approvals a JOIN runs r ON r.id = a.run_id WHERE r.skill_id = 'mcpdemo.note'
       ORDER BY a.created_at DESC LIMIT 1`,
    );
    expect(pending.rows[0].status).toBe('pending');
    const own = await rawRequest(pair.b.h.mcpUrl, {
      headers: rpcHeaders(local.token, { 'mcp-session-id': sid }),
      body: answer('approve'),
    });
    expect(own.status).toBe(202);
    expect(await nextNonNotification(call)).toMatchObject({
      id: 'note-1',
      result: { structuredContent: { written: 'not yours' } },
    });

    const before = pair.a.app.fx.calls.slow ?? 0;
    const slowSid = await initSession(pair.a.h.mcpUrl, local.token, {});
    const slow = fetch(pair.a.h.mcpUrl, {
      method: 'POST',
      headers: rpcHeaders(local.token, { 'mcp-session-id': slowSid }),
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 41,
        method: 'tools/call',
        params: { name: 'mcpdemo_slow', arguments: {} },
      }),
    }).then((r) => r.json());
    await waitFor(() => (pair.a.app.fx.calls.slow ?? 0) > before);
    const cancel = JSON.stringify({
      jsonrpc: '2.0',
      method: 'notifications/cancelled',
      params: { requestId: 41 },
    });
    const foreignCancel = await rawRequest(pair.b.h.mcpUrl, {
      headers: rpcHeaders(otherToken, { 'mcp-session-id': slowSid }),
      body: cancel,
    });
    expect(foreignCancel.status).toBe(202);
    await sleep(300);
    expect(pair.a.relay.registry.inFlight).toBe(1);
    const ownCancel = await rawRequest(pair.b.h.mcpUrl, {
      headers: rpcHeaders(local.token, { 'mcp-session-id': slowSid }),
      body: cancel,
    });
    expect(ownCancel.status).toBe(202);
    expect(await slow).toMatchObject({ id: 41, result: { isError: true } });
    expect((await lastRun('mcpdemo.slow'))?.error?.code).toBe('skill.aborted');
  });

  it('relays an answer larger than a NOTIFY payload (stored in relay_messages)', async () => {
    const key = `sg-${randomUUID()}`;
    const big = 'x'.repeat(20_000);
    const got = new Promise<unknown>((resolve) => pair.a.relay.registry.expect(key, local.id, resolve));
    const res = await rawRequest(pair.b.h.mcpUrl, {
      headers: rpcHeaders(local.token),
      body: JSON.stringify({ jsonrpc: '2.0', id: key, result: { action: 'accept', content: { big } } }),
    });
    expect(res.status).toBe(202);
    expect(await got).toMatchObject({ id: key, result: { content: { big } } });
  });

  it('answers 202 and delivers nothing for an answer no replica waits for', async () => {
    for (const id of ['sg-nobody-waits', 7]) {
      const r = await rawRequest(pair.b.h.mcpUrl, {
        headers: rpcHeaders(local.token),
        body: JSON.stringify({ jsonrpc: '2.0', id, result: {} }),
      });
      expect(r.status).toBe(202);
    }
  });

  it('measures relay latency: answer and cancellation posted to B until delivery on A', async () => {
    const rounds = 50;
    const measure = async (target: string, kind: 'answer' | 'cancel', n = rounds) => {
      const ms: number[] = [];
      for (let i = 0; i < n; i++) {
        const id = `sg-${randomUUID()}`;
        let delivered: Promise<number>;
        let body: string;
        if (kind === 'answer') {
          delivered = new Promise((resolve) =>
            pair.a.relay.registry.expect(id, local.id, () => resolve(performance.now())),
          );
          body = JSON.stringify({ jsonrpc: '2.0', id, result: { action: 'cancel' } });
        } else {
          const t = pair.a.relay.registry.track(CallRegistry.callKey(local.id, undefined, id));
          delivered = new Promise((resolve) =>
            t.signal.addEventListener('abort', () => resolve(performance.now()), { once: true }),
          );
          body = JSON.stringify({
            jsonrpc: '2.0',
            method: 'notifications/cancelled',
            params: { requestId: id },
          });
        }
        const t0 = performance.now();
        const res = await rawRequest(target, { headers: rpcHeaders(local.token), body });
        expect(res.status).toBe(202);
        ms.push((await delivered) - t0);
      }
      return percentiles(ms);
    };
    await measure(pair.b.h.mcpUrl, 'answer', 5); // warm-up
    const viaB = await measure(pair.b.h.mcpUrl, 'answer');
    const onA = await measure(pair.a.h.mcpUrl, 'answer');
    const cancelViaB = await measure(pair.b.h.mcpUrl, 'cancel');
    const { readFileSync } = await import('node:fs');
    const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    console.log(
      `[relay latency, ${backend.name}] answer via B: p50 ${viaB.p50} ms, p95 ${viaB.p95} ms; ` +
        `answer on A itself: p50 ${onA.p50} ms, p95 ${onA.p95} ms; cancel via B: p50 ${cancelViaB.p50} ms, ` +
        `p95 ${cancelViaB.p95} ms (n=${rounds}, loadavg ${load})`,
    );
    expect(viaB.n).toBe(rounds);
    expect(viaB.p95).toBeLessThan(1000);
  });

  it.runIf(backend.name.startsWith('postgres'))(
    'keeps relaying after the listening connection is killed (reconnects and listens again)',
    async () => {
      const listeners = async () =>
        (
          await pair.a.app.db.query<{ pid: number }>(
            `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN %'`,
          )
        ).rows.map((r) => r.pid);
      const before = await listeners();
      expect(before).toHaveLength(1);
      await pair.a.app.db.query('SELECT pg_terminate_backend($1)', [before[0]]);
      await waitFor(async () => {
        const now = await listeners();
        return now.length === 1 && now[0] !== before[0];
      });
      const key = `sg-${randomUUID()}`;
      const got = new Promise<unknown>((resolve) => pair.a.relay.registry.expect(key, local.id, resolve));
      const res = await rawRequest(pair.b.h.mcpUrl, {
        headers: rpcHeaders(local.token),
        body: JSON.stringify({ jsonrpc: '2.0', id: key, result: { action: 'decline' } }),
      });
      expect(res.status).toBe(202);
      expect(await got).toMatchObject({ id: key, result: { action: 'decline' } });
    },
  );
});
