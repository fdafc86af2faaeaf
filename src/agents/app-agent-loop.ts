import type { AgentHost } from './agent-host.js';
import { type AgentLoop, createAgentLoop } from './agent-loop.js';
import { loadAgentResult } from './agent-result.js';
import type { AgentRunResult } from './agent-types.js';

const loops = new WeakMap<AgentHost, AgentLoop>();

/**
 * The one agent loop of an app (models from `config.models`; offline when none is configured),
 * created on first use and shared by every surface of that app instance (MCP, CLI, serve), so
 * `attach()` and the explicit `onApprovalDecided` calls see the same in-flight resumes.
 */
export function agentLoopFor(host: AgentHost): AgentLoop {
  let loop = loops.get(host);
  if (!loop) {
    loop = createAgentLoop(host);
    loops.set(host, loop);
  }
  return loop;
}

const IN_PROGRESS = new Set(['planning', 'running']);

/**
 * What surfaces call right after `engine.decide(...)`: continues the agent run waiting on the
 * approval, if any, and returns where it stands (undefined when no agent run waits on it or a quorum
 * is still short). When another resumer of this process (an attached loop) claimed the run first,
 * waits for it before reading the result back. Never throws: the decision is already recorded, so a
 * failure to continue is logged and the run stays paused for `resumePending()` (at the next start).
 */
export async function continueAfterDecision(
  host: AgentHost,
  approvalId: string,
): Promise<AgentRunResult | undefined> {
  const loop = agentLoopFor(host);
  try {
    const r = await loop.onApprovalDecided(approvalId);
    if (!r || !IN_PROGRESS.has(r.status)) return r;
    await loop.idle();
    return (await loadAgentResult(host.db, r.id)) ?? r;
  } catch (err) {
    host.logger?.error({ err, approvalId }, 'continuing the agent run after a decision failed');
    return undefined;
  }
}
