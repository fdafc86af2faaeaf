import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import {
  CallToolRequestSchema,
  type CallToolResult,
  ErrorCode,
  ListToolsRequestSchema,
  type LoggingLevel,
  McpError,
  type RequestId,
  type ServerNotification,
  SetLevelRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';
import type { jsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/types.js';
import type { SkillgateApp } from '../core/app.js';
import { packageRoot } from '../core/package-root.js';
import type { Principal } from '../core/principal.js';
import { callThroughEngine, type ToolCallEnv } from './call-through-engine.js';
import { registerPrompts } from './mcp-prompts.js';
import { registerResources } from './mcp-resources.js';
import { META_TOOLS } from './meta-tools.js';
import { loadPromptFiles, type PromptFile } from './prompt-files.js';
import { onRegistryChange } from './registry-changes.js';
import { hasStructuredOutput, isToolVisible, skillTool, toolNamesOf } from './skill-tools.js';

/** Where the client's chosen log level lives (per connection on stdio, per session over HTTP). */
export interface LogLevelStore {
  get(): LoggingLevel | undefined;
  set(level: LoggingLevel): void;
}

export interface SkillgateMcpServerOptions {
  app: SkillgateApp;
  /** Who every call runs as (the local principal on stdio, the token's principal over HTTP). */
  principal: Principal;
  /** Prompt files (default: `prompts/*.md`, read once per process). */
  prompts?: readonly PromptFile[];
  /** Tracks a call so that a cancellation arriving on another HTTP request can abort it. */
  trackCall?: (requestId: RequestId) => { signal: AbortSignal; done(): void };
  /** Default: a level kept by this server object. */
  logLevel?: LogLevelStore;
  /** Sends `notifications/tools/list_changed` (and resources) when skills are reloaded (stdio, in-memory). */
  watchRegistry?: boolean;
  /** Shared JSON Schema validator (elicitation answers), to avoid building one per HTTP request. */
  jsonSchemaValidator?: jsonSchemaValidator;
  /**
   * Which optional features to register (default all). A server that lives for one HTTP request
   * registers only what that request uses; `initialize` always needs all, to advertise them.
   */
  features?: { resources?: boolean; prompts?: boolean };
}

const LEVELS: LoggingLevel[] = [
  'debug',
  'info',
  'notice',
  'warning',
  'error',
  'critical',
  'alert',
  'emergency',
];
/** Log messages are sent from this level on until the client sets one. */
const DEFAULT_LOG_LEVEL: LoggingLevel = 'notice';

const INSTRUCTIONS = `Skillgate runs skills (tools) behind policy, budget, approval and audit gates.
Risky tools may answer with status "approval_required": the user (if your client shows forms) or
another person decides it; approvals_decide records a decision and runs_get returns the outcome.
When unsure which tool fits, use skills_search, or ask to let the agent plan the request (it may
run several tools and answers with the steps it relied on).`;

let version: string | undefined;
function serverVersion(): string {
  if (version) return version;
  try {
    version = (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string })
      .version;
  } catch {
    version = '0.0.0';
  }
  return version;
}

let defaultPrompts: PromptFile[] | undefined;

/** A signal aborted when either is (cheaper than `AbortSignal.any` on Node 20, and never leaks). */
function eitherSignal(a: AbortSignal, b: AbortSignal): AbortSignal {
  if (a.aborted) return a;
  if (b.aborted) return b;
  const c = new AbortController();
  const onA = () => c.abort(a.reason);
  const onB = () => c.abort(b.reason);
  a.addEventListener('abort', onA, { once: true });
  b.addEventListener('abort', onB, { once: true });
  c.signal.addEventListener('abort', () => {
    a.removeEventListener('abort', onA);
    b.removeEventListener('abort', onB);
  });
  return c.signal;
}

function localLevel(): LogLevelStore {
  let level: LoggingLevel | undefined;
  return { get: () => level, set: (l) => (level = l) };
}

/**
 * One MCP server for one principal: every enabled, non-internal skill the principal may use as a
 * tool (named by `toolNameOf`), the meta tools, the resources and the prompts. Every tool call goes
 * through `engine.run` on the `mcp` channel. An unknown tool name is a JSON-RPC error (-32602);
 * everything that goes wrong inside a call (invalid arguments, refusals, failures) is an
 * `isError: true` result with the error code. Connect it to exactly one transport.
 */
export function createSkillgateMcpServer(options: SkillgateMcpServerOptions): McpServer {
  const { app, principal } = options;
  const mcp = new McpServer(
    { name: 'skillgate', title: 'Skillgate', version: serverVersion() },
    {
      capabilities: { tools: { listChanged: true }, logging: {} },
      instructions: INSTRUCTIONS,
      ...(options.jsonSchemaValidator ? { jsonSchemaValidator: options.jsonSchemaValidator } : {}),
    },
  );
  const server = mcp.server;
  const level = options.logLevel ?? localLevel();

  server.setRequestHandler(SetLevelRequestSchema, async (req) => {
    level.set(req.params.level);
    return {};
  });

  server.setRequestHandler(ListToolsRequestSchema, async () => {
    const names = toolNamesOf(app.registry);
    const skills = app.registry
      .list({ publicOnly: true })
      .filter((s) => isToolVisible(app.config, principal, s))
      .map((s) => skillTool(app.config, principal, s, names.nameOf(s.id)!));
    return { tools: [...META_TOOLS.map((m) => m.tool), ...skills] };
  });

  server.setRequestHandler(CallToolRequestSchema, async (req, extra): Promise<CallToolResult> => {
    const name = req.params.name;
    const meta = META_TOOLS.find((m) => m.tool.name === name);
    const skillId = meta ? undefined : toolNamesOf(app.registry).skillOf(name);
    if (!meta && !skillId) throw new McpError(ErrorCode.InvalidParams, `Unknown tool: ${name}`);
    const tracked = options.trackCall?.(extra.requestId);
    const env: ToolCallEnv = {
      app,
      principal,
      server,
      requestId: extra.requestId,
      signal: tracked ? eitherSignal(extra.signal, tracked.signal) : extra.signal,
      progressToken: extra._meta?.progressToken,
      notify: (method, params) => extra.sendNotification({ method, params } as ServerNotification),
      log: (lvl, data) => {
        if (LEVELS.indexOf(lvl) < LEVELS.indexOf(level.get() ?? DEFAULT_LOG_LEVEL)) return;
        extra
          .sendNotification({
            method: 'notifications/message',
            params: { level: lvl, logger: 'skillgate', data },
          })
          .catch(() => {});
      },
      elicitationTimeoutMs: app.config.mcp.elicitation_timeout,
    };
    try {
      const args = req.params.arguments ?? {};
      if (meta) return await meta.run(args, env);
      return await callThroughEngine(env, { skill: skillId, input: args }, (id) => {
        const s = id ? app.registry.get(id) : undefined;
        return s !== undefined && hasStructuredOutput(s);
      });
    } finally {
      tracked?.done();
    }
  });

  if (options.features?.resources !== false) registerResources(mcp, app, principal);
  if (options.features?.prompts !== false) {
    defaultPrompts ??= loadPromptFiles(undefined, (file, reason) =>
      app.logger.warn({ file, reason }, 'invalid prompt file'),
    );
    registerPrompts(mcp, options.prompts ?? defaultPrompts);
  }

  if (options.watchRegistry) {
    const onChange = () => {
      if (!mcp.isConnected()) return;
      server.sendToolListChanged().catch(() => {});
      server.sendResourceListChanged().catch(() => {});
    };
    const unsubscribe = onRegistryChange(app.registry, onChange);
    const previous = server.onclose;
    server.onclose = () => {
      unsubscribe();
      previous?.();
    };
  }
  return mcp;
}
