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
  /** Earlier turns of the thread (oldest first): context for follow-ups. */
  history?: SessionTurn[];
}

/** Turns a request in words into a run. Always resolves (refusals come back as a result). */
export type AskFn = (req: AskRequest) => Promise<RunResult>;

/** The router alone, inside the engine: one skill per request (`engine.run({query})`). */
export function routerAsk(engine: Engine): AskFn {
  return (req) =>
    engine.run({
      principal: req.principal,
      channel: req.channel,
      query: req.query,
      input: req.input,
      idempotencyKey: req.idempotencyKey,
      onEvent: req.onEvent,
    });
}

/**
 * The ask function chat uses by default. When the agent loop (planner / executor / critic) lands,
 * switch this one line to it; nothing else in `src/bots` changes.
 */
export const defaultAsk = (engine: Engine): AskFn => routerAsk(engine);
