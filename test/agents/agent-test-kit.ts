import { join, resolve } from 'node:path';
import type { LanguageModelV3CallOptions, LanguageModelV3GenerateResult } from '@ai-sdk/provider';
import { MockLanguageModelV3 } from 'ai/test';
import { AgentLoop, type AgentLoopOptions } from '../../src/agents/agent-loop.js';
import type { ChatModel, RoleModels } from '../../src/agents/models/chat-models.js';
import { shippedBuiltins } from '../../src/core/builtins.js';
import { packageRoot } from '../../src/core/package-root.js';
import type { Db } from '../../src/db/db.js';
import { mergeBuiltins } from '../../src/tools/builtins/builtin-registry.js';
import { createTestApp } from '../helpers/test-app.js';

export const AGENT_FIXTURE_SKILLS = resolve(import.meta.dirname, 'fixtures', 'skills');

/** Builtins of the fixture skills: `agenttest.left` and `.right` resolve only when both run at once. */
export function pairBuiltins() {
  const state = { arrived: 0, maxConcurrent: 0, running: 0 };
  let release!: () => void;
  const together = new Promise<void>((r) => {
    release = r;
  });
  const half = (value: string) => ({
    async run() {
      state.arrived += 1;
      state.running += 1;
      state.maxConcurrent = Math.max(state.maxConcurrent, state.running);
      if (state.arrived >= 2) release();
      const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 3000));
      const r = await Promise.race([together, timeout]);
      state.running -= 1;
      if (r === 'timeout') throw new Error('the other half never ran concurrently');
      return { output: { value } };
    },
  });
  return { state, table: { 'agenttest.left': half('L'), 'agenttest.right': half('R') } };
}

export type TestApp = Awaited<ReturnType<typeof createTestApp>>;

/** A full app with the shipped catalogue, the demo data and the agent fixture skills. */
export async function createAgentTestApp(options: { config?: Record<string, unknown>; db?: Db } = {}) {
  const pair = pairBuiltins();
  const app = await createTestApp({
    seed: true,
    db: options.db,
    config: options.config,
    skillDirs: [join(packageRoot(), 'skills'), AGENT_FIXTURE_SKILLS],
    builtins: mergeBuiltins(Object.fromEntries(shippedBuiltins()), pair.table),
  });
  return Object.assign(app, { pair });
}

/** One scripted model answer: structured JSON, plain text, tool calls, or a thrown error. */
export type Scripted =
  | { json: unknown; input?: number; output?: number }
  | { text: string; input?: number; output?: number }
  | { tools: { name: string; input: unknown }[]; input?: number; output?: number }
  | { error: unknown }
  | { hang: true };

function usage(input = 100, output = 50): LanguageModelV3GenerateResult['usage'] {
  return {
    inputTokens: { total: input, noCache: input, cacheRead: 0, cacheWrite: 0 },
    outputTokens: { total: output, text: output, reasoning: 0 },
  };
}

/**
 * A `MockLanguageModelV3` answering from a script, one entry per call, and failing the test
 * loudly when called more often than scripted. `calls` keeps every prompt it received.
 */
export function scriptedModel(
  id: string,
  script: Scripted[],
): ChatModel & { mock: MockLanguageModelV3; prompts: () => string[] } {
  const queue = [...script];
  const mock = new MockLanguageModelV3({
    provider: 'mock',
    modelId: id,
    doGenerate: async (options: LanguageModelV3CallOptions) => {
      const next = queue.shift();
      if (!next) throw new Error(`model ${id} was called more often than scripted`);
      if ('error' in next) throw next.error;
      if ('hang' in next) {
        await new Promise((_, reject) =>
          options.abortSignal?.addEventListener('abort', () => reject(options.abortSignal?.reason)),
        );
      }
      if ('json' in next) {
        return {
          content: [{ type: 'text', text: JSON.stringify(next.json) }],
          finishReason: { unified: 'stop', raw: 'stop' },
          usage: usage(next.input, next.output),
          warnings: [],
        };
      }
      if ('tools' in next) {
        return {
          content: next.tools.map((t, i) => ({
            type: 'tool-call' as const,
            toolCallId: `call_${i}_${queue.length}`,
            toolName: t.name,
            input: JSON.stringify(t.input),
          })),
          finishReason: { unified: 'tool-calls', raw: 'tool_calls' },
          usage: usage(next.input, next.output),
          warnings: [],
        };
      }
      const t = next as { text: string; input?: number; output?: number };
      return {
        content: [{ type: 'text', text: t.text }],
        finishReason: { unified: 'stop', raw: 'stop' },
        usage: usage(t.input, t.output),
        warnings: [],
      };
    },
  });
  const prompts = () => mock.doGenerateCalls.map((c) => JSON.stringify(c.prompt));
  return { model: mock, id, name: `mock:${id}`, mock, prompts };
}

/** A loop over scripted models with no waiting between retries. */
export function scriptedLoop(app: TestApp, models: RoleModels, options: AgentLoopOptions = {}): AgentLoop {
  return new AgentLoop(app, { models, sleep: async () => {}, ...options });
}

/** A critic verdict JSON. */
export const approve = (reason = 'the results answer the request') => ({
  json: { verdict: 'approve', reasons: [reason], summary: 'ok' },
});
