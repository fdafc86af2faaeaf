import { chatBotsMount } from '../bots/chat-bots.js';
import { mcpHttpMount } from '../mcp/http/mcp-http-route.js';
import { triggersMount } from '../triggers/triggers-mount.js';
import type { HttpMount } from './http-app.js';

/**
 * The route groups `skillgate serve` mounts besides `/healthz`, `/readyz` and `/metrics`. Surfaces
 * that live on the HTTP server (MCP over Streamable HTTP at `/mcp`, signed webhooks at
 * `/hooks/:id`, Slack events at `/slack/events`) add their mount here; each gets the Hono app and
 * the SkillgateApp, is behind the Host check, body limit and error handler, and may return a disposer.
 */
export function serverMounts(): HttpMount[] {
  return [mcpHttpMount(), triggersMount(), chatBotsMount()];
}
