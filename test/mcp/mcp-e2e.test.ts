import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliHome, cleanEnv, cli, createCliHome } from '../cli/cli-harness.js';
import { type McpHttpHarness, startAuthProxy, startMcpHttp } from './helpers/http-harness.js';
import { createMcpTestApp } from './helpers/mcp-fixtures.js';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const ENTRY = join(import.meta.dirname, 'helpers', 'skillgate-src.mjs');
const INSPECTOR = join(ROOT, 'node_modules/@modelcontextprotocol/inspector/cli/build/cli.js');
const CONFORMANCE = join(ROOT, 'node_modules/@modelcontextprotocol/conformance/dist/index.js');
const NODE20_HOOK = join(import.meta.dirname, 'helpers', 'conformance-node20.mjs');

/** `npx @modelcontextprotocol/inspector --cli ...` (0.15.0, the last release that runs on Node 20). */
async function inspector(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<unknown> {
  const { stdout } = await run(process.execPath, [INSPECTOR, '--cli', ...args], {
    cwd: ROOT,
    env,
    timeout: 90_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  return JSON.parse(stdout);
}

describe('skillgate mcp over stdio (a real process)', () => {
  let h: CliHome;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    h = await createCliHome();
    expect((await cli(h, 'run', 'fixture.find_customers', 'limit=1')).code).toBe(0);
    env = { ...cleanEnv(h.home), SKILLGATE_CONFIG: h.configFile, SKILLGATE_LOG_LEVEL: 'info' };
  }, 120_000);
  afterAll(() => h?.remove());

  it('speaks only the protocol on stdout, logs on stderr, and runs as the local principal', async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [ENTRY, 'mcp'],
      env: Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined)),
      cwd: ROOT,
      stderr: 'pipe',
    });
    let stderr = '';
    transport.stderr?.on('data', (c) => (stderr += c));
    const client = new Client({ name: 'e2e', version: '1.0.0' });
    const errors: Error[] = [];
    client.onerror = (e) => errors.push(e);
    await client.connect(transport);
    try {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toEqual(
        expect.arrayContaining(['fixture_find_customers', 'crm_find_customer', 'ask']),
      );
      const r = await client.callTool({ name: 'fixture_find_customers', arguments: { limit: 2 } });
      expect(r.isError).toBeFalsy();
      expect(JSON.parse((r.content as { text: string }[])[0].text).rows).toHaveLength(2);
      const runId = String(r._meta?.['skillgate/run']);
      const run = JSON.parse(
        ((await client.readResource({ uri: `skillgate://runs/${runId}` })).contents[0] as { text: string })
          .text,
      );
      expect(run).toMatchObject({ principal: 'local', channel: 'mcp', status: 'succeeded' });
    } finally {
      await client.close();
    }
    expect(errors).toEqual([]);
    expect(stderr).toContain('"msg":"mcp stdio session started"');
  }, 90_000);

  it('answers tools/list and tools/call from the MCP Inspector CLI over stdio', async () => {
    const config = join(h.dir, 'mcp.json');
    writeFileSync(
      config,
      JSON.stringify({ mcpServers: { skillgate: { command: process.execPath, args: [ENTRY, 'mcp'], env } } }),
    );
    const listed = (await inspector([
      '--config',
      config,
      '--server',
      'skillgate',
      '--method',
      'tools/list',
    ])) as {
      tools: { name: string }[];
    };
    expect(listed.tools.map((t) => t.name)).toContain('fixture_find_customers');
    const called = (await inspector([
      '--config',
      config,
      '--server',
      'skillgate',
      '--method',
      'tools/call',
      '--tool-name',
      'fixture_find_customers',
      '--tool-arg',
      'city=Lyon',
    ])) as { content: { text: string }[] };
    const rows = JSON.parse(called.content[0].text).rows as { city: string }[];
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.city === 'Lyon')).toBe(true);
  }, 180_000);
});

describe('MCP over HTTP with the Inspector CLI and the official conformance suite', () => {
  let app: Awaited<ReturnType<typeof createMcpTestApp>>;
  let h: McpHttpHarness;
  let proxy: { url: string; close(): Promise<void> };

  beforeAll(async () => {
    app = await createMcpTestApp();
    h = await startMcpHttp(app);
    // Neither tool can send an Authorization header: a loopback proxy adds the bearer token.
    proxy = await startAuthProxy(h.url, await h.tokenFor('local'));
  });
  afterAll(async () => {
    await proxy?.close();
    await h?.close();
    await app?.close();
  });

  it('answers tools/list and tools/call from the MCP Inspector CLI over Streamable HTTP', async () => {
    const url = `${proxy.url}/mcp`;
    const listed = (await inspector([url, '--transport', 'http', '--method', 'tools/list'])) as {
      tools: { name: string }[];
    };
    expect(listed.tools.map((t) => t.name)).toContain('mcpdemo_echo');
    const called = (await inspector([
      url,
      '--transport',
      'http',
      '--method',
      'tools/call',
      '--tool-name',
      'mcpdemo_echo',
      '--tool-arg',
      'text=inspected',
    ])) as { structuredContent: unknown };
    expect(called.structuredContent).toEqual({ text: 'inspected' });
  }, 120_000);

  // The scenarios that need no fixture-named tools (the others call `test_simple_text` and the like).
  const scenarios = [
    'server-initialize',
    'ping',
    'tools-list',
    'logging-set-level',
    'dns-rebinding-protection',
    'resources-list',
    'prompts-list',
  ];
  for (const scenario of scenarios) {
    it(`passes the conformance scenario ${scenario}`, async () => {
      const { stdout } = await run(
        process.execPath,
        ['--import', NODE20_HOOK, CONFORMANCE, 'server', '--url', `${proxy.url}/mcp`, '--scenario', scenario],
        { cwd: ROOT, timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } },
      ).catch((err: { stdout?: string; stderr?: string }) => {
        throw new Error(`conformance ${scenario} failed:\n${err.stdout}\n${err.stderr}`);
      });
      expect(stdout).toMatch(/Passed: [1-9]\d*\/\d+, 0 failed/);
    }, 90_000);
  }
});
