import { type McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import { McpError, type ReadResourceResult } from '@modelcontextprotocol/sdk/types.js';
import type { SkillgateApp } from '../core/app.js';
import { getApproval, listApprovals } from '../core/approvals/approval-store.js';
import type { Config } from '../core/config/config-schema.js';
import { permissionMatches } from '../core/gates/permissions.js';
import type { Principal } from '../core/principal.js';
import { getRun, listRuns } from '../core/records/run-store.js';
import { approvalView, mayReadApproval, mayReadRun, oversees, runView } from './record-views.js';
import { isToolVisible, toJsonSchema, toolNamesOf } from './skill-tools.js';

/** JSON-RPC code of "resource not found" in the MCP spec. */
const RESOURCE_NOT_FOUND = -32002;

function notFound(uri: URL): never {
  throw new McpError(RESOURCE_NOT_FOUND, `Resource ${uri.href} not found`, { uri: uri.href });
}

function json(uri: URL, value: unknown): ReadResourceResult {
  return {
    contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(value, null, 2) }],
  };
}

function one(v: string | string[]): string {
  return decodeURIComponent(Array.isArray(v) ? v[0] : v);
}

function mayReadLibrary(config: Config, principal: Principal): boolean {
  return principal.roles.some((r) =>
    config.roles[r]?.permissions.some((p) => permissionMatches(p, 'library.read')),
  );
}

interface DocumentRow {
  id: string;
  title: string;
  kind: string;
  source: string;
  bytes: number;
  line_count: number;
  chunk_count: number;
  created_by: string;
  updated_at: Date;
}

/**
 * Resources: `skillgate://skills/{id}` (YAML and schemas of the skills the principal may use),
 * `skillgate://runs/{id}` (status, steps, result, cost), `skillgate://approvals/{id}` and
 * `skillgate://library/{id}` (documents of the library with their text, when the principal may read
 * the library). Lists show the recent or pending ones; reads are checked like the tools are.
 */
export function registerResources(server: McpServer, app: SkillgateApp, principal: Principal): void {
  const { config, db, registry } = app;

  server.registerResource(
    'skill',
    new ResourceTemplate('skillgate://skills/{id}', {
      list: () => ({
        resources: registry
          .list({ publicOnly: true })
          .filter((s) => isToolVisible(config, principal, s))
          .map((s) => ({
            uri: `skillgate://skills/${s.id}`,
            name: s.id,
            title: s.spec.title,
            description: s.spec.description.trim().split('\n')[0],
            mimeType: 'application/yaml',
          })),
      }),
    }),
    { title: 'Skill', description: 'A skill: its YAML file and its input and output JSON Schemas' },
    (uri, vars) => {
      const skill = registry.get(one(vars.id));
      if (!skill || !isToolVisible(config, principal, skill)) notFound(uri);
      const schema = {
        id: skill.id,
        tool: toolNamesOf(registry).nameOf(skill.id) ?? null,
        version: skill.spec.version,
        effects: skill.spec.effects,
        risk: skill.spec.risk,
        input_schema: toJsonSchema(skill.spec.input),
        output_schema: skill.spec.output ? toJsonSchema(skill.spec.output) : null,
      };
      return {
        contents: [
          { uri: uri.href, mimeType: 'application/yaml', text: skill.source },
          { uri: uri.href, mimeType: 'application/json', text: JSON.stringify(schema, null, 2) },
        ],
      };
    },
  );

  server.registerResource(
    'run',
    new ResourceTemplate('skillgate://runs/{id}', {
      list: async () => {
        const runs = await listRuns(db, {
          tenant: principal.tenant,
          principal: oversees(config, principal) ? undefined : principal.id,
          topLevelOnly: true,
          limit: 20,
        });
        return {
          resources: runs.map((r) => ({
            uri: `skillgate://runs/${r.id}`,
            name: r.id,
            title: `${r.skillId ?? 'request'}: ${r.status}`,
            mimeType: 'application/json',
          })),
        };
      },
    }),
    {
      title: 'Run',
      description: 'A run: status, steps, result or error, cost',
      mimeType: 'application/json',
    },
    async (uri, vars) => {
      const run = await getRun(db, one(vars.id), principal.tenant);
      if (!run || !mayReadRun(config, principal, run)) notFound(uri);
      return json(uri, runView(run));
    },
  );

  server.registerResource(
    'approval',
    new ResourceTemplate('skillgate://approvals/{id}', {
      list: async () => {
        const list = await listApprovals(db, { tenant: principal.tenant, status: 'pending', limit: 100 });
        return {
          resources: list
            .filter((a) => mayReadApproval(principal, a))
            .map((a) => ({
              uri: `skillgate://approvals/${a.id}`,
              name: a.id,
              title: `${a.skillId} requested by ${a.requestedBy}`,
              mimeType: 'application/json',
            })),
        };
      },
    }),
    {
      title: 'Approval',
      description: 'An approval: what would run, who asked, decisions',
      mimeType: 'application/json',
    },
    async (uri, vars) => {
      const a = await getApproval(db, one(vars.id), principal.tenant);
      if (!a || !mayReadApproval(principal, a)) notFound(uri);
      return json(uri, approvalView(a));
    },
  );

  server.registerResource(
    'document',
    new ResourceTemplate('skillgate://library/{id}', {
      list: async () => {
        if (!mayReadLibrary(config, principal)) return { resources: [] };
        const r = await db.query<DocumentRow>(
          'SELECT * FROM documents WHERE tenant = $1 ORDER BY updated_at DESC LIMIT 100',
          [principal.tenant],
        );
        return {
          resources: r.rows.map((d) => ({
            uri: `skillgate://library/${d.id}`,
            name: d.id,
            title: d.title,
            mimeType: 'text/markdown',
          })),
        };
      },
    }),
    { title: 'Library document', description: 'A document of the knowledge library, chunk by chunk' },
    async (uri, vars) => {
      if (!mayReadLibrary(config, principal)) notFound(uri);
      const r = await db.query<DocumentRow>('SELECT * FROM documents WHERE id = $1 AND tenant = $2', [
        one(vars.id),
        principal.tenant,
      ]);
      const d = r.rows[0];
      if (!d) notFound(uri);
      const chunks = await db.query<{ text: string; heading: string; line_from: number; line_to: number }>(
        'SELECT text, heading, line_from, line_to FROM chunks WHERE document_id = $1 ORDER BY ord',
        [d.id],
      );
      const head = `# ${d.title}\n\nsource: ${d.source} · ${d.kind} · ${d.line_count} lines · ${d.chunk_count} chunks · updated ${new Date(d.updated_at).toISOString()}\n`;
      const body = chunks.rows
        .map(
          (c) => `\n## lines ${c.line_from}-${c.line_to}${c.heading ? ` (${c.heading})` : ''}\n\n${c.text}\n`,
        )
        .join('');
      return { contents: [{ uri: uri.href, mimeType: 'text/markdown', text: head + body }] };
    },
  );
}
