import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getRun } from '../../src/core/records/run-store.js';
import { TOOL_NAME_PATTERN, ToolNameMap } from '../../src/mcp/tool-names.js';
import { connectInMemory, createMcpTestApp } from './helpers/mcp-fixtures.js';

type App = Awaited<ReturnType<typeof createMcpTestApp>>;

function runIdOf(r: unknown): string {
  return String((r as { _meta?: Record<string, unknown> })._meta?.['skillgate/run']);
}

function textOf(r: unknown): string {
  return ((r as { content: { text: string }[] }).content ?? []).map((c) => c.text).join('\n');
}

describe('MCP tools over an in-memory pair', () => {
  let app: App;
  let local: Client;
  let vic: Client;

  beforeAll(async () => {
    app = await createMcpTestApp();
    local = await connectInMemory(app, app.as('local'));
    vic = await connectInMemory(app, app.as('vic'));
  });
  afterAll(async () => {
    await local?.close();
    await vic?.close();
    await app?.close();
  });

  it('lists the meta tools and every enabled, non-internal skill the principal may use', async () => {
    const { tools } = await local.listTools();
    const names = tools.map((t) => t.name);
    expect(names.slice(0, 5)).toEqual([
      'skills_search',
      'ask',
      'approvals_list',
      'approvals_decide',
      'runs_get',
    ]);
    expect(names).toEqual(
      expect.arrayContaining([
        'mcpdemo_echo',
        'mcpdemo_note',
        'mcpdemo_purge',
        'mcpdemo_report',
        'mcpdemo_slow',
      ]),
    );
    expect(names).not.toContain('mcpdemo_hidden_step');
    for (const n of names) expect(n).toMatch(TOOL_NAME_PATTERN);

    const viewer = (await vic.listTools()).tools.map((t) => t.name);
    expect(viewer).toContain('mcpdemo_echo');
    expect(viewer).not.toContain('mcpdemo_note');
    expect(viewer).not.toContain('mcpdemo_purge');
  });

  it('describes a skill tool with its schemas and annotations from effects and risk', async () => {
    const { tools } = await local.listTools();
    const echo = tools.find((t) => t.name === 'mcpdemo_echo')!;
    expect(echo.title).toBe('Echo text');
    expect(echo.inputSchema).toMatchObject({
      type: 'object',
      properties: { text: { type: 'string', minLength: 1 }, n: { type: 'integer', minimum: 0 } },
      required: ['text'],
    });
    expect(echo.outputSchema).toMatchObject({ type: 'object', required: ['text'] });
    expect(echo.annotations).toMatchObject({
      readOnlyHint: true,
      destructiveHint: false,
      idempotentHint: true,
      openWorldHint: false,
    });
    const purge = tools.find((t) => t.name === 'mcpdemo_purge')!;
    expect(purge.annotations).toMatchObject({
      readOnlyHint: false,
      destructiveHint: true,
      idempotentHint: false,
    });
    expect(purge.description).toContain('runs only after approval');
    // A tool whose calls wait for approval also admits the approval_required answer.
    const note = tools.find((t) => t.name === 'mcpdemo_note')!;
    expect(JSON.stringify(note.outputSchema)).toContain('approval_required');
  });

  it('runs a read skill through the engine and returns its output as text and structuredContent', async () => {
    const r = await local.callTool({ name: 'mcpdemo_echo', arguments: { text: 'hello', n: 2 } });
    expect(r.isError).toBeFalsy();
    expect(r.structuredContent).toEqual({ text: 'hello', n: 2 });
    expect(JSON.parse(textOf(r))).toEqual({ text: 'hello', n: 2 });
    const run = await getRun(app.db, runIdOf(r));
    expect(run).toMatchObject({
      status: 'succeeded',
      channel: 'mcp',
      principal: 'local',
      skillId: 'mcpdemo.echo',
    });
  });

  it('returns wrong argument types as an isError result, recorded as a rejected run', async () => {
    const r = await local.callTool({ name: 'mcpdemo_echo', arguments: { text: 42 } });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toMatch(/^error skill\.input_invalid: .*text/);
    expect(r._meta?.['skillgate/error']).toBe('skill.input_invalid');
    expect((await getRun(app.db, runIdOf(r)))?.status).toBe('rejected');
  });

  it('answers an unknown tool with a JSON-RPC invalid-params error', async () => {
    const err = await local.callTool({ name: 'no_such_tool', arguments: {} }).catch((e) => e);
    expect(err).toBeInstanceOf(McpError);
    expect((err as McpError).code).toBe(-32602);
    expect((err as McpError).message).toContain('Unknown tool: no_such_tool');
  });

  it('returns a failing skill as isError with the code and hint', async () => {
    const r = await local.callTool({ name: 'mcpdemo_fail', arguments: {} });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toContain('error resource.not_found: No customer 42.');
    expect(textOf(r)).toContain('hint: ');
  });

  it('refuses a skill the principal may not use through the policy gate, not by hiding alone', async () => {
    const r = await vic.callTool({ name: 'mcpdemo_note', arguments: { note: 'sneaky' } });
    expect(r.isError).toBe(true);
    expect(r._meta?.['skillgate/error']).toBe('policy.denied');
    expect(app.fx.notes).not.toContain('sneaky');
  });

  it('finds skills with the router, ranked, with the best match as a tool name', async () => {
    const s = await local.callTool({ name: 'skills_search', arguments: { query: 'echo hello back to me' } });
    expect(s.structuredContent).toMatchObject({ best: { skill: 'mcpdemo.echo', tool: 'mcpdemo_echo' } });
    expect((s.structuredContent as { candidates: unknown[] }).candidates.length).toBeGreaterThan(1);
    // "ask" runs the agent loop: test/mcp/mcp-agent-ask.test.ts.
  });

  it('rejects invalid meta tool arguments as isError', async () => {
    const r = await local.callTool({ name: 'runs_get', arguments: { run_id: 7 } });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toContain('error request.invalid: Invalid arguments for runs_get: run_id');
  });

  it('shows a run to its requester and to approvers, but not to another viewer', async () => {
    const r = await local.callTool({ name: 'mcpdemo_echo', arguments: { text: 'mine' } });
    const got = await local.callTool({ name: 'runs_get', arguments: { run_id: runIdOf(r) } });
    expect(got.structuredContent).toMatchObject({
      status: 'succeeded',
      output: { text: 'mine' },
      channel: 'mcp',
    });
    const other = await vic.callTool({ name: 'runs_get', arguments: { run_id: runIdOf(r) } });
    expect(other.isError).toBe(true);
    expect(textOf(other)).toContain('error run.not_found');
  });
});

describe('tool names', () => {
  it('turns dots into underscores and keeps names unique and valid', () => {
    const long = `pack.${'x'.repeat(80)}`;
    const map = new ToolNameMap(['crm.find_customer', 'a.b_c', 'a_b.c', 'runs.get', long]);
    expect(map.nameOf('crm.find_customer')).toBe('crm_find_customer');
    expect(map.nameOf('a.b_c')).toBe('a_b_c');
    expect(map.nameOf('a_b.c')).toBe('a_b-c');
    expect(map.nameOf('runs.get')).toBe('runs-get');
    expect(map.nameOf(long)).toMatch(TOOL_NAME_PATTERN);
    expect(map.skillOf('a_b-c')).toBe('a_b.c');
  });
});
