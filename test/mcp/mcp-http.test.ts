import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ElicitRequestSchema, ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getRun } from '../../src/core/records/run-store.js';
import { sessionOf } from '../../src/mcp/http/session-id.js';
import { type McpHttpHarness, rawRequest, rpcHeaders, startMcpHttp } from './helpers/http-harness.js';
import { connectHttp, createMcpTestApp } from './helpers/mcp-fixtures.js';

type App = Awaited<ReturnType<typeof createMcpTestApp>>;

async function waitFor(check: () => boolean | Promise<boolean>, ms = 8000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 25));
  }
}

const CALL_ECHO = {
  jsonrpc: '2.0',
  id: 1,
  method: 'tools/call',
  params: { name: 'mcpdemo_echo', arguments: { text: 'raw' } },
};

describe('MCP over Streamable HTTP (real server on 127.0.0.1)', () => {
  let app: App;
  let h: McpHttpHarness;
  let localToken: string;
  const clients: Client[] = [];
  const connect = async (token: string, caps = {}) => {
    const c = await connectHttp(h.mcpUrl, token, caps);
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    app = await createMcpTestApp();
    h = await startMcpHttp(app, { corsOrigins: ['http://app.example'] });
    localToken = await h.tokenFor('local');
  });
  afterAll(async () => {
    for (const c of clients) await c.close().catch(() => {});
    await h?.close();
    await app?.close();
  });

  it('lists and calls tools with the SDK client, as the token principal, answering plain JSON', async () => {
    const client = await connect(localToken);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toContain('mcpdemo_echo');
    const r = await client.callTool({ name: 'mcpdemo_echo', arguments: { text: 'over http' } });
    expect(r.structuredContent).toEqual({ text: 'over http' });
    expect(await getRun(app.db, String(r._meta?.['skillgate/run']))).toMatchObject({
      principal: 'local',
      channel: 'mcp',
    });

    const raw = await rawRequest(h.mcpUrl, {
      headers: rpcHeaders(localToken),
      body: JSON.stringify(CALL_ECHO),
    });
    expect(raw.status).toBe(200);
    expect(raw.headers['content-type']).toContain('application/json');
    expect(raw.json()).toMatchObject({ id: 1, result: { structuredContent: { text: 'raw' } } });
  });

  it('hands out a session id that carries the client capabilities, so no replica keeps state', async () => {
    const init = {
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: {
        protocolVersion: '2025-11-25',
        capabilities: { elicitation: {} },
        clientInfo: { name: 'raw', version: '1' },
      },
    };
    const r = await rawRequest(h.mcpUrl, { headers: rpcHeaders(localToken), body: JSON.stringify(init) });
    expect(r.status).toBe(200);
    const sid = String(r.headers['mcp-session-id']);
    expect(sessionOf(sid)).toMatchObject({ v: '2025-11-25', c: { elicitation: {} }, i: { name: 'raw' } });
    const bad = await rawRequest(h.mcpUrl, {
      headers: rpcHeaders(localToken, { 'mcp-session-id': 'forged' }),
      body: JSON.stringify(CALL_ECHO),
    });
    expect(bad.status).toBe(404);
  });

  it('asks for approval with a form over the SSE response and runs when approved', async () => {
    const client = await connect(localToken, { elicitation: { form: {} } });
    let asked = 0;
    client.setRequestHandler(ElicitRequestSchema, async () => {
      asked += 1;
      return { action: 'accept', content: { decision: 'approve', comment: 'via http' } };
    });
    const r = await client.callTool({ name: 'mcpdemo_note', arguments: { note: 'http form' } });
    expect(asked).toBe(1);
    expect(r.structuredContent).toMatchObject({ written: 'http form' });
    expect(app.fx.notes).toContain('http form');
  });

  it('lets a second principal approve, after which runs_get returns the outcome', async () => {
    const alice = await connect(await h.tokenFor('alice'));
    const bob = await connect(await h.tokenFor('bob'));
    const r = await alice.callTool({ name: 'mcpdemo_note', arguments: { note: 'alice http' } });
    const s = r.structuredContent as { status: string; approval_id: string; run_id: string };
    expect(s.status).toBe('approval_required');
    const self = await alice.callTool({
      name: 'approvals_decide',
      arguments: { approval_id: s.approval_id, decision: 'approve' },
    });
    expect(self.isError).toBe(true);
    expect((self.content as { text: string }[])[0].text).toContain('error approval.not_approver');
    await bob.callTool({
      name: 'approvals_decide',
      arguments: { approval_id: s.approval_id, decision: 'approve' },
    });
    const out = await alice.callTool({ name: 'runs_get', arguments: { run_id: s.run_id } });
    expect(out.structuredContent).toMatchObject({ status: 'succeeded', output: { written: 'alice http' } });
  });

  it('streams progress notifications for a pipeline', async () => {
    const client = await connect(localToken);
    const progress: number[] = [];
    await client.callTool({ name: 'mcpdemo_report', arguments: {} }, undefined, {
      onprogress: (p) => progress.push(p.progress),
    });
    expect(progress).toEqual([1, 2, 3]);
  });

  it('aborts the run when the client cancels, although the cancellation arrives in another request', async () => {
    const client = await connect(localToken);
    const before = app.fx.calls.slow ?? 0;
    const controller = new AbortController();
    const call = client.callTool({ name: 'mcpdemo_slow', arguments: {} }, undefined, {
      signal: controller.signal,
    });
    await waitFor(() => (app.fx.calls.slow ?? 0) > before && h.calls.inFlight > 0);
    controller.abort();
    await expect(call).rejects.toThrow();
    await waitFor(async () => {
      const r = await app.db.query<{ status: string; error: { code: string } | null }>(
        `SELECT status, error FROM runs WHERE skill_id = 'mcpdemo.slow' ORDER BY created_at DESC LIMIT 1`,
      );
      return r.rows[0]?.error?.code === 'skill.aborted';
    });
    await waitFor(() => h.calls.inFlight === 0);
    expect(app.fx.calls.slow_finished).toBeUndefined();
  });

  it('sends tools/list_changed on the GET stream when skills are reloaded', async () => {
    const client = await connect(localToken);
    let changed = 0;
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
      changed += 1;
    });
    const file = join(mkdtempSync(join(tmpdir(), 'mcp-http-reload-')), 'extra.yaml');
    const yaml = (v: string) =>
      `id: mcpdemo.http_extra\nversion: ${v}\ntitle: Extra\ndescription: Added at run time.\neffects: read\nrisk: low\nhandler: { type: builtin, name: mcp.echo }\n`;
    let version = 0;
    await waitFor(async () => {
      writeFileSync(file, yaml(`1.0.${version++}`));
      app.registry.applyFiles([file]);
      await new Promise((r) => setTimeout(r, 100));
      return changed > 0;
    });
    expect((await client.listTools()).tools.map((t) => t.name)).toContain('mcpdemo_http_extra');
    app.registry.applyFiles([], [file]);
  });

  it('answers malformed JSON, invalid JSON-RPC and unknown methods with JSON-RPC errors', async () => {
    const post = (body: string, headers = rpcHeaders(localToken)) => rawRequest(h.mcpUrl, { headers, body });
    const malformed = await post('{"jsonrpc": "2.0", "id": 1, "method": ');
    expect(malformed.status).toBe(400);
    expect(malformed.json()).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32700 } });
    const invalid = await post(JSON.stringify({ hello: 'world' }));
    expect(invalid.status).toBe(400);
    expect(invalid.json()).toMatchObject({ error: { code: -32700 } });
    const unknown = await post(JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'no/such_method' }));
    expect(unknown.json()).toMatchObject({ id: 7, error: { code: -32601 } });
    const unknownTool = await post(JSON.stringify({ ...CALL_ECHO, params: { name: 'nope', arguments: {} } }));
    expect(unknownTool.json()).toMatchObject({
      error: { code: -32602, message: expect.stringContaining('Unknown tool') },
    });
    const wrongType = await post(
      JSON.stringify({ ...CALL_ECHO, params: { name: 'mcpdemo_echo', arguments: { text: [] } } }),
    );
    expect(wrongType.json()).toMatchObject({
      result: { isError: true, _meta: { 'skillgate/error': 'skill.input_invalid' } },
    });
    const noAccept = await post(JSON.stringify(CALL_ECHO), {
      ...rpcHeaders(localToken),
      accept: 'application/json',
    });
    expect(noAccept.status).toBe(406);
  });

  it('refuses a 5 MB body with 413 and keeps serving', async () => {
    const big = JSON.stringify({
      ...CALL_ECHO,
      params: { name: 'mcpdemo_echo', arguments: { text: 'x'.repeat(5 * 1024 * 1024) } },
    });
    const r = await rawRequest(h.mcpUrl, { headers: rpcHeaders(localToken), body: big });
    expect(r.status).toBe(413);
    expect(r.json()).toMatchObject({ error: { code: 'request.too_large' } });
    const ok = await rawRequest(h.mcpUrl, {
      headers: rpcHeaders(localToken),
      body: JSON.stringify(CALL_ECHO),
    });
    expect(ok.status).toBe(200);
  });

  it('answers 401 with a Bearer challenge for a missing, unknown, revoked or expired token', async () => {
    const body = JSON.stringify(CALL_ECHO);
    const missing = await rawRequest(h.mcpUrl, { headers: rpcHeaders(), body });
    expect(missing.status).toBe(401);
    expect(missing.headers['www-authenticate']).toBe('Bearer realm="skillgate"');
    expect(missing.json()).toMatchObject({
      error: { code: 'auth.unauthorized', details: { reason: 'missing' } },
    });

    const unknown = await rawRequest(h.mcpUrl, { headers: rpcHeaders(`sgt_${'A'.repeat(43)}`), body });
    expect(unknown.status).toBe(401);
    expect(unknown.headers['www-authenticate']).toContain('error="invalid_token"');

    const { token } = await h.tokens.create({ name: 'to-revoke', role: 'viewer', createdBy: 'test' });
    expect((await rawRequest(h.mcpUrl, { headers: rpcHeaders(token), body })).status).toBe(200);
    await h.tokens.revoke('to-revoke');
    const revoked = await rawRequest(h.mcpUrl, { headers: rpcHeaders(token), body });
    expect(revoked.status).toBe(401);
    expect(revoked.json()).toMatchObject({ error: { details: { reason: 'revoked' } } });

    const short = await h.tokens.create({
      name: 'short-lived',
      role: 'viewer',
      expiresInMs: 1,
      createdBy: 'test',
    });
    await new Promise((r) => setTimeout(r, 10));
    const expired = await rawRequest(h.mcpUrl, { headers: rpcHeaders(short.token), body });
    expect(expired.json()).toMatchObject({ error: { details: { reason: 'expired' } } });
  });

  it('refuses a foreign Host or Origin with 403 and allows a configured CORS origin', async () => {
    const body = JSON.stringify(CALL_ECHO);
    const host = await rawRequest(h.mcpUrl, {
      headers: rpcHeaders(localToken, { host: 'evil.example.com' }),
      body,
    });
    expect(host.status).toBe(403);
    expect(host.json()).toMatchObject({ error: { code: 'request.host_not_allowed' } });
    const origin = await rawRequest(h.mcpUrl, {
      headers: rpcHeaders(localToken, { origin: 'http://evil.example.com' }),
      body,
    });
    expect(origin.status).toBe(403);
    expect(origin.json()).toMatchObject({ error: { code: 'request.origin_not_allowed' } });

    const preflight = await rawRequest(h.mcpUrl, {
      method: 'OPTIONS',
      headers: { origin: 'http://app.example', 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('http://app.example');
    const allowed = await rawRequest(h.mcpUrl, {
      headers: rpcHeaders(localToken, { origin: 'http://app.example' }),
      body,
    });
    expect(allowed.status).toBe(200);
    expect(allowed.headers['access-control-expose-headers']).toContain('Mcp-Session-Id');
  });
});

describe('MCP over HTTP under a flood', () => {
  let app: App;
  let h: McpHttpHarness;

  beforeAll(async () => {
    app = await createMcpTestApp();
    h = await startMcpHttp(app, { rateLimit: { burst: 5, perSecond: 2 } });
  });
  afterAll(async () => {
    await h?.close();
    await app?.close();
  });

  it('answers 429 to the flooding token while another client keeps working', async () => {
    const flooder = await h.tokenFor('alice');
    const calm = await connectHttp(h.mcpUrl, await h.tokenFor('bob'));
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' });
    const flood = await Promise.all(
      Array.from({ length: 40 }, () => rawRequest(h.mcpUrl, { headers: rpcHeaders(flooder), body })),
    );
    const limited = flood.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThanOrEqual(30);
    expect(limited[0].headers['retry-after']).toMatch(/^\d+$/);
    expect(limited[0].json()).toMatchObject({ error: { code: 'rate.limited' } });
    expect(flood.filter((r) => r.status === 200).length).toBeLessThanOrEqual(6);
    const r = await calm.callTool({ name: 'mcpdemo_echo', arguments: { text: 'still here' } });
    expect(r.structuredContent).toEqual({ text: 'still here' });
    await calm.close();
  });
});
