import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadPromptFiles, parsePromptFile, renderPrompt } from '../../src/mcp/prompt-files.js';
import { connectInMemory, createMcpTestApp } from './helpers/mcp-fixtures.js';

type App = Awaited<ReturnType<typeof createMcpTestApp>>;

async function addDocument(app: App): Promise<string> {
  await app.db.query(
    `INSERT INTO documents (id, tenant, source_key, title, kind, source, content_hash, bytes, line_count, chunk_count, created_by)
     VALUES ('doc_handbook', 'default', 'handbook', 'Handbook', 'markdown', 'handbook.md', 'h', 40, 4, 2, 'local')`,
  );
  for (const [ord, text] of ['Invoices are due in 30 days.', 'Refunds need a manager.'].entries()) {
    await app.db.query(
      `INSERT INTO chunks (id, tenant, document_id, ord, text, heading, line_from, line_to, embedding, embedder, dims)
       VALUES ($1, 'default', 'doc_handbook', $2, $3, 'Policies', $4, $5, '[1,0,0]', 'test', 3)`,
      [`chk_${ord}`, ord, text, ord * 2 + 1, ord * 2 + 2],
    );
  }
  return 'skillgate://library/doc_handbook';
}

describe('MCP resources and prompts', () => {
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

  it('lists resource templates for skills, runs, approvals and library documents', async () => {
    const { resourceTemplates } = await local.listResourceTemplates();
    expect(resourceTemplates.map((t) => t.uriTemplate).sort()).toEqual([
      'skillgate://approvals/{id}',
      'skillgate://library/{id}',
      'skillgate://runs/{id}',
      'skillgate://skills/{id}',
    ]);
  });

  it('serves a skill as its YAML file and its JSON schemas', async () => {
    const { resources } = await vic.listResources();
    const skills = resources.filter((r) => r.uri.startsWith('skillgate://skills/')).map((r) => r.name);
    expect(skills).toContain('mcpdemo.echo');
    expect(skills).not.toContain('mcpdemo.note');
    const r = await local.readResource({ uri: 'skillgate://skills/mcpdemo.echo' });
    const yaml = r.contents.find((c) => c.mimeType === 'application/yaml') as { text: string };
    expect(parse(yaml.text)).toMatchObject({ id: 'mcpdemo.echo', effects: 'read' });
    const schema = JSON.parse(
      (r.contents.find((c) => c.mimeType === 'application/json') as { text: string }).text,
    );
    expect(schema).toMatchObject({ tool: 'mcpdemo_echo', input_schema: { required: ['text'] } });
  });

  it('serves a run with its steps, and an approval, to those who may see them', async () => {
    const call = await local.callTool({ name: 'mcpdemo_report', arguments: {} });
    const runId = String(call._meta?.['skillgate/run']);
    const list = await local.listResources();
    expect(list.resources.map((r) => r.uri)).toContain(`skillgate://runs/${runId}`);
    const run = JSON.parse(
      ((await local.readResource({ uri: `skillgate://runs/${runId}` })).contents[0] as { text: string }).text,
    );
    expect(run).toMatchObject({ status: 'succeeded', skill: 'mcpdemo.report' });
    expect(run.steps.map((s: { step: string; status: string }) => `${s.step}:${s.status}`)).toEqual([
      'first:succeeded',
      'second:succeeded',
      'third:succeeded',
    ]);

    const pending = await local.callTool({ name: 'mcpdemo_note', arguments: { note: 'resource' } });
    const approvalId = (pending.structuredContent as { approval_id: string }).approval_id;
    const a = JSON.parse(
      (
        (await local.readResource({ uri: `skillgate://approvals/${approvalId}` })).contents[0] as {
          text: string;
        }
      ).text,
    );
    expect(a).toMatchObject({
      status: 'pending',
      skill: 'mcpdemo.note',
      preview: { would_write: 'resource' },
    });
    const err = await vic.readResource({ uri: `skillgate://approvals/${approvalId}` }).catch((e) => e);
    expect((err as McpError).code).toBe(-32002);
  });

  it('serves library documents chunk by chunk to principals who may read the library', async () => {
    const uri = await addDocument(app);
    expect((await local.listResources()).resources.map((r) => r.uri)).toContain(uri);
    const text = ((await local.readResource({ uri })).contents[0] as { text: string }).text;
    expect(text).toContain('# Handbook');
    expect(text.indexOf('Invoices are due')).toBeLessThan(text.indexOf('Refunds need'));
    expect(text).toContain('lines 1-2 (Policies)');
  });

  it('answers an unknown resource with the resource-not-found error', async () => {
    const err = await local.readResource({ uri: 'skillgate://runs/run_nope' }).catch((e) => e);
    expect(err).toBeInstanceOf(McpError);
    expect((err as McpError).code).toBe(-32002);
  });

  it('offers every prompt file with the arguments its front matter declares', async () => {
    const files = loadPromptFiles();
    const { prompts } = await local.listPrompts();
    expect(prompts.map((p) => p.name).sort()).toEqual(files.map((f) => f.name).sort());
    expect(prompts.map((p) => p.name)).toEqual(
      expect.arrayContaining(['planner', 'executor', 'critic', 'synthesizer']),
    );
    const planner = prompts.find((p) => p.name === 'planner')!;
    const declared = files.find((f) => f.name === 'planner')!.arguments;
    expect(planner.arguments?.map((a) => [a.name, a.required ?? false])).toEqual(
      declared.map((a) => [a.name, a.required]),
    );
  });

  it('fills a prompt with its arguments and refuses a missing required one', async () => {
    const planner = loadPromptFiles().find((f) => f.name === 'planner')!;
    const args = Object.fromEntries(planner.arguments.map((a) => [a.name, `<${a.name} value>`]));
    const got = await local.getPrompt({ name: 'planner', arguments: args });
    const text = (got.messages[0].content as { text: string }).text;
    expect(text).toBe(renderPrompt(planner, args));
    const required = planner.arguments.find((a) => a.required);
    if (required) {
      const err = await local.getPrompt({ name: 'planner', arguments: {} }).catch((e) => e);
      expect((err as McpError).code).toBe(-32602);
    }
  });

  it('parses front matter and leaves undeclared placeholders alone', () => {
    const p = parsePromptFile(
      '/x/demo.md',
      '---\ntitle: Demo\narguments:\n  - name: who\n    required: true\n---\nHello {{ who }}, {{ other }}.',
    );
    expect(p).toMatchObject({ name: 'demo', title: 'Demo', arguments: [{ name: 'who', required: true }] });
    expect(renderPrompt(p, { who: 'Ada' })).toBe('Hello Ada, {{ other }}.');
  });
});
