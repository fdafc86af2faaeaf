import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { ClientCapabilities } from '@modelcontextprotocol/sdk/types.js';
import type { SkillgateApp } from '../../../src/core/app.js';
import { SkillgateError } from '../../../src/core/errors.js';
import type { Principal } from '../../../src/core/principal.js';
import { createSkillgateMcpServer } from '../../../src/mcp/mcp-server.js';
import { mergeBuiltins } from '../../../src/tools/builtins/builtin-registry.js';
import type { HandlerContext } from '../../../src/tools/handler.js';
import { createTestApp } from '../../helpers/test-app.js';

export const MCP_SKILLS = join(import.meta.dirname, '..', 'fixtures', 'skills');

/** Builtins behind the `mcpdemo.*` fixture skills; `notes` is the ledger, `calls` counts real runs. */
export function mcpFixtureBuiltins() {
  const notes: string[] = [];
  const calls: Record<string, number> = {};
  const count = (n: string) => {
    calls[n] = (calls[n] ?? 0) + 1;
  };
  const builtins = mergeBuiltins({
    'mcp.echo': { run: async (ctx: HandlerContext) => ({ output: { ...ctx.input } }) },
    'mcp.note': {
      async run(ctx: HandlerContext) {
        count('note');
        notes.push(String(ctx.input.note));
        return { output: { written: String(ctx.input.note), total: notes.length } };
      },
      preview: async (ctx: HandlerContext) => ({ would_write: ctx.input.note }),
    },
    'mcp.purge': {
      async run(ctx: HandlerContext) {
        count('purge');
        const gone = notes.filter((n) => n.startsWith(String(ctx.input.prefix)));
        for (const g of gone) notes.splice(notes.indexOf(g), 1);
        return { output: { deleted: gone } };
      },
      preview: async (ctx: HandlerContext) => ({
        would_delete: notes.filter((n) => n.startsWith(String(ctx.input.prefix))),
      }),
    },
    'mcp.slow': {
      async run(ctx: HandlerContext) {
        count('slow');
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, 5_000);
          ctx.signal.addEventListener('abort', () => {
            clearTimeout(t);
            resolve();
          });
        });
        if (!ctx.signal.aborted) count('slow_finished');
        return { output: { slept: true } };
      },
    },
    'mcp.fail': {
      async run() {
        throw new SkillgateError('resource.not_found', 'No customer 42.', { customer: 42 });
      },
    },
  });
  return { builtins, notes, calls };
}

/** A test app with only the `mcpdemo` pack and the test principals (local/admin, alice/operator, bob+carol/approver, vic/viewer). */
export async function createMcpTestApp(config: Record<string, unknown> = {}) {
  const fx = mcpFixtureBuiltins();
  const app = await createTestApp({ builtins: fx.builtins, skillDirs: [MCP_SKILLS], config });
  return Object.assign(app, { fx });
}

/** A real SDK client connected to a fresh server for `principal` over an in-memory pair. */
export async function connectInMemory(
  app: SkillgateApp,
  principal: Principal,
  capabilities: ClientCapabilities = {},
): Promise<Client> {
  const server = createSkillgateMcpServer({ app, principal, watchRegistry: true });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: 'skillgate-test', version: '1.0.0' }, { capabilities });
  await client.connect(clientSide);
  return client;
}

/** A real SDK client over Streamable HTTP with a bearer token. */
export async function connectHttp(
  url: string,
  token: string,
  capabilities: ClientCapabilities = {},
): Promise<Client> {
  const client = new Client({ name: 'skillgate-http-test', version: '1.0.0' }, { capabilities });
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    requestInit: { headers: { authorization: `Bearer ${token}` } },
  });
  await client.connect(transport);
  return client;
}
