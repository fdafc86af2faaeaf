import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  type ElicitRequest,
  ElicitRequestSchema,
  type ElicitResult,
  LoggingMessageNotificationSchema,
  ToolListChangedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getApproval } from '../../src/core/approvals/approval-store.js';
import { getRun } from '../../src/core/records/run-store.js';
import { connectInMemory, createMcpTestApp } from './helpers/mcp-fixtures.js';

type App = Awaited<ReturnType<typeof createMcpTestApp>>;

const ELICITATION = { elicitation: { form: {} } };

function textOf(r: unknown): string {
  return ((r as { content: { text: string }[] }).content ?? []).map((c) => c.text).join('\n');
}

/** A client that answers every approval form with `answer` and records the forms it was shown. */
async function formClient(app: App, who: string, answer: ElicitResult) {
  const client = await connectInMemory(app, app.as(who), ELICITATION);
  const forms: ElicitRequest['params'][] = [];
  client.setRequestHandler(ElicitRequestSchema, async (req) => {
    forms.push(req.params);
    return answer;
  });
  return { client, forms };
}

async function waitFor(check: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('approvals, progress, cancellation and notifications over MCP', () => {
  let app: App;
  const clients: Client[] = [];
  const track = (c: Client) => {
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    app = await createMcpTestApp();
  });
  afterAll(async () => {
    for (const c of clients) await c.close();
    await app?.close();
  });

  it('returns approval_required without elicitation, and runs once another principal approves', async () => {
    const alice = track(await connectInMemory(app, app.as('alice')));
    const r = await alice.callTool({ name: 'mcpdemo_note', arguments: { note: 'from alice' } });
    expect(r.isError).toBeFalsy();
    const s = r.structuredContent as Record<string, string>;
    expect(s).toMatchObject({
      status: 'approval_required',
      skill: 'mcpdemo.note',
      preview: { would_write: 'from alice' },
    });
    expect(s.how_to_decide).toContain(`approvals_decide with approval_id "${s.approval_id}"`);
    expect(app.fx.notes).not.toContain('from alice');

    const bob = track(await connectInMemory(app, app.as('bob')));
    const pending = await bob.callTool({ name: 'approvals_list', arguments: {} });
    expect(
      (pending.structuredContent as { approvals: { approval_id: string }[] }).approvals.map(
        (a) => a.approval_id,
      ),
    ).toContain(s.approval_id);
    const d = await bob.callTool({
      name: 'approvals_decide',
      arguments: { approval_id: s.approval_id, decision: 'approve', comment: 'fine' },
    });
    expect(d.structuredContent).toMatchObject({
      status: 'executed',
      run: { status: 'succeeded', output: { written: 'from alice' } },
    });
    expect(app.fx.notes).toContain('from alice');

    const outcome = await alice.callTool({ name: 'runs_get', arguments: { run_id: s.run_id } });
    expect(outcome.structuredContent).toMatchObject({
      status: 'succeeded',
      output: { written: 'from alice' },
    });
    const a = await getApproval(app.db, s.approval_id);
    expect(a?.decisions).toMatchObject([
      { principal: 'bob', decision: 'approve', channel: 'mcp', comment: 'fine' },
    ]);
  });

  it('asks an approver with a form and runs at once when they approve', async () => {
    const { client, forms } = await formClient(app, 'local', {
      action: 'accept',
      content: { decision: 'approve', comment: 'ok by me' },
    });
    track(client);
    const r = await client.callTool({ name: 'mcpdemo_note', arguments: { note: 'approved in form' } });
    expect(r.isError).toBeFalsy();
    expect(r.structuredContent).toEqual({ written: 'approved in form', total: expect.any(Number) });
    expect(forms).toHaveLength(1);
    expect(forms[0].message).toContain('Write a note');
    expect(forms[0].message).toContain('"would_write": "approved in form"');
    expect(forms[0]).toMatchObject({
      mode: 'form',
      requestedSchema: { properties: { decision: { enum: ['approve', 'deny'] } }, required: ['decision'] },
    });
    const run = await getRun(app.db, String(r._meta?.['skillgate/run']));
    const a = await getApproval(app.db, run!.approvalId!);
    expect(a?.decisions).toMatchObject([
      { principal: 'local', decision: 'approve', comment: 'ok by me', channel: 'mcp' },
    ]);
  });

  it('records a deny from the form and does not run', async () => {
    const { client } = await formClient(app, 'local', { action: 'accept', content: { decision: 'deny' } });
    track(client);
    const r = await client.callTool({ name: 'mcpdemo_note', arguments: { note: 'denied in form' } });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toContain('error approval.denied');
    expect(app.fx.notes).not.toContain('denied in form');
  });

  it('leaves the approval pending when the form is declined', async () => {
    const { client } = await formClient(app, 'local', { action: 'decline' });
    track(client);
    const r = await client.callTool({ name: 'mcpdemo_note', arguments: { note: 'declined' } });
    expect(r.structuredContent).toMatchObject({
      status: 'approval_required',
      note: expect.stringContaining('declined'),
    });
    const a = await getApproval(app.db, String((r.structuredContent as { approval_id: string }).approval_id));
    expect(a?.status).toBe('pending');
  });

  it('refuses self-approval of a high-risk run from the form and lets another approver decide', async () => {
    app.fx.notes.push('tmp-1', 'keep');
    const { client, forms } = await formClient(app, 'local', {
      action: 'accept',
      content: { decision: 'approve' },
    });
    track(client);
    const r = await client.callTool({ name: 'mcpdemo_purge', arguments: { prefix: 'tmp' } });
    expect(forms).toHaveLength(1);
    expect(r.isError).toBeFalsy();
    const s = r.structuredContent as { status: string; note: string; approval_id: string };
    expect(s.status).toBe('approval_required');
    expect(s.note).toContain('approval.self_approval');
    expect(app.fx.notes).toContain('tmp-1');

    const carol = track(await connectInMemory(app, app.as('carol')));
    const d = await carol.callTool({
      name: 'approvals_decide',
      arguments: { approval_id: s.approval_id, decision: 'approve' },
    });
    expect(d.structuredContent).toMatchObject({
      run: { status: 'succeeded', output: { deleted: ['tmp-1'] } },
    });
    expect(app.fx.notes).not.toContain('tmp-1');
  });

  it('does not show a form to a principal who may not decide', async () => {
    const { client, forms } = await formClient(app, 'alice', {
      action: 'accept',
      content: { decision: 'approve' },
    });
    track(client);
    const r = await client.callTool({ name: 'mcpdemo_note', arguments: { note: 'alice again' } });
    expect(forms).toHaveLength(0);
    expect(r.structuredContent).toMatchObject({ status: 'approval_required' });
  });

  it('reports progress per pipeline step when the client sends a progress token', async () => {
    const client = track(await connectInMemory(app, app.as('local')));
    const progress: { progress: number; total?: number; message?: string }[] = [];
    const r = await client.callTool({ name: 'mcpdemo_report', arguments: { text: 'p' } }, undefined, {
      onprogress: (p) => progress.push(p),
    });
    expect(JSON.parse(textOf(r))).toEqual({ parts: ['p 1', 'p 2', 'p 3'] });
    expect(progress.map((p) => [p.progress, p.total])).toEqual([
      [1, 3],
      [2, 3],
      [3, 3],
    ]);
    expect(progress[0].message).toBe('step first (mcpdemo.hidden_step) succeeded');
  });

  it('aborts the run when the client cancels the call', async () => {
    const client = track(await connectInMemory(app, app.as('local')));
    const controller = new AbortController();
    const before = app.fx.calls.slow ?? 0;
    const call = client.callTool({ name: 'mcpdemo_slow', arguments: {} }, undefined, {
      signal: controller.signal,
    });
    await waitFor(() => (app.fx.calls.slow ?? 0) > before);
    controller.abort('user pressed stop');
    await expect(call).rejects.toThrow();
    await waitFor(async () => {
      const r = await app.db.query<{ status: string; error: { code: string } | null }>(
        `SELECT status, error FROM runs WHERE skill_id = 'mcpdemo.slow' ORDER BY created_at DESC LIMIT 1`,
      );
      return r.rows[0]?.status === 'failed' && r.rows[0].error?.code === 'skill.aborted';
    });
    expect(app.fx.calls.slow_finished).toBeUndefined();
  });

  it('sends tools/list_changed on hot reload, and the new skill becomes a tool', async () => {
    const client = track(await connectInMemory(app, app.as('local')));
    let changed = 0;
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
      changed += 1;
    });
    const file = join(mkdtempSync(join(tmpdir(), 'mcp-reload-')), 'extra.yaml');
    writeFileSync(
      file,
      'id: mcpdemo.extra\nversion: 1.0.0\ntitle: Extra\ndescription: Added at run time.\neffects: read\nrisk: low\nhandler: { type: builtin, name: mcp.echo }\n',
    );
    app.registry.applyFiles([file]);
    await waitFor(() => changed > 0);
    expect((await client.listTools()).tools.map((t) => t.name)).toContain('mcpdemo_extra');
    app.registry.applyFiles([], [file]);
    await waitFor(() => changed > 1);
    expect((await client.listTools()).tools.map((t) => t.name)).not.toContain('mcpdemo_extra');
  });

  it('sends log messages at and above the level the client set', async () => {
    const client = track(await connectInMemory(app, app.as('local')));
    const logs: { level: string; data: unknown }[] = [];
    client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
      logs.push(n.params);
    });
    await client.callTool({ name: 'mcpdemo_report', arguments: {} });
    expect(logs.filter((l) => l.level === 'info')).toHaveLength(0);
    expect(await client.setLoggingLevel('info')).toEqual({});
    await client.callTool({ name: 'mcpdemo_report', arguments: {} });
    await waitFor(() => logs.some((l) => (l.data as { event?: string }).event === 'run_finished'));
    expect(logs.filter((l) => (l.data as { event?: string }).event === 'step')).toHaveLength(6);
  });
});
