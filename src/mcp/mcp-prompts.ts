import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { type PromptFile, renderPrompt } from './prompt-files.js';

/**
 * Registers each prompt file as an MCP prompt named after it, with the arguments its front matter
 * declares (strings; required ones must be given). Getting a prompt returns one user message: the
 * body with `{{ argument }}` placeholders filled in.
 */
export function registerPrompts(server: McpServer, prompts: readonly PromptFile[]): void {
  for (const p of prompts) {
    const shape: Record<string, z.ZodType<string | undefined>> = {};
    for (const a of p.arguments) {
      const base = a.description ? z.string().describe(a.description) : z.string();
      shape[a.name] = a.required ? base : base.optional();
    }
    server.registerPrompt(
      p.name,
      { title: p.title, description: p.description, argsSchema: shape },
      (args: Record<string, string | undefined>) => ({
        description: p.description,
        messages: [{ role: 'user', content: { type: 'text', text: renderPrompt(p, args) } }],
      }),
    );
  }
}
