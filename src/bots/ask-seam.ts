import type { AgentHost } from '../agents/agent-host.js';
import type { AgentEvent, AgentRunResult } from '../agents/agent-types.js';
import { agentLoopFor } from '../agents/app-agent-loop.js';
import type { Engine } from '../core/engine.js';
import type { EngineEvent } from '../core/events.js';
import type { Principal } from '../core/principal.js';
import type { RunResult } from '../core/run-request.js';
import type { SessionTurn } from './store/session-store.js';

/** A request in words from chat (a mention, `/skillgate ask`, a follow-up in a thread). */
export interface AskRequest {
  query: string;
  /** `key=value` words of the request, already split off the query. */
  input?: Record<string, unknown>;
  principal: Principal;
  channel: 'slack' | 'discord';
  idempotencyKey?: string;
  onEvent?: (event: EngineEvent) => void;
  /** Live progress of an agent run (agent asks only). */
  onAgentEvent?: (event: AgentEvent) => void;
  /** Earlier turns of the thread (oldest first): context for follow-ups. */
  history?: SessionTurn[];
}

/** What an ask produced: one engine run (the router alone) or an agent run (plan of steps). */
export type AskOutcome = { kind: 'run'; result: RunResult } | { kind: 'agent'; result: AgentRunResult };

/** Turns a request in words into a run. Always resolves (refusals come back as a result). */
export type AskFn = (req: AskRequest) => Promise<AskOutcome>;

/** The router alone, inside the engine: one skill per request (`engine.run({query})`). */
export function routerAsk(engine: Engine): AskFn {
  return async (req) => ({
    kind: 'run',
    result: await engine.run({
      principal: req.principal,
      channel: req.channel,
      query: req.query,
      input: req.input,
      idempotencyKey: req.idempotencyKey,
      onEvent: req.onEvent,
    }),
  });
}

/** Words `key=value` pairs are appended to, so the planner's slot filling sees them. */
function requestText(req: AskRequest): string {
  const pairs = Object.entries(req.input ?? {}).map(
    ([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`,
  );
  return [req.query, ...pairs].join(' ').trim();
}

/**
 * The app's agent loop (`agentLoopFor(host)`: planner / executor / critic, offline when no models
 * are configured): every step runs through the engine (channel `agent`). Never throws for a failed
 * run (the loop reports it in the result). `idempotencyKey` (chat: `<platform>:<delivery id>`) makes
 * a replayed ask return the first agent run (`replayed: true`) instead of planning again; each of
 * its engine runs carries `<key>:step:...`, so no step executes twice.
 */
export function agentAsk(host: AgentHost): AskFn {
  return async (req) => ({
    kind: 'agent',
    result: await agentLoopFor(host).ask({
      principal: req.principal,
      request: requestText(req),
      channel: req.channel,
      idempotencyKey: req.idempotencyKey,
      onEvent: req.onAgentEvent,
    }),
  });
}

/** The ask function chat uses by default: the agent loop of the app. */
export const defaultAsk = (host: AgentHost): AskFn => agentAsk(host);
