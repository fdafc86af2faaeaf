import type { Clock } from '../core/ids.js';
import type { AgentHost } from './agent-host.js';
import type { AgentEvent, AgentRunRecord } from './agent-types.js';
import type { DriveDeps } from './drive-run.js';
import type { ModelCallContext } from './models/call-model.js';
import type { RoleModels } from './models/chat-models.js';
import type { PromptLibrary } from './prompts/prompt-library.js';

/** What a drive of one agent run needs beyond the app: the loop's models, prompts and clock. */
export interface DriveDepsOptions {
  models: RoleModels;
  prompts: PromptLibrary;
  clock: Clock;
  /** Waits between model retries (tests pass a no-op). */
  sleep?: (ms: number) => Promise<void>;
  /** Every agent event of the run, after the request's own `onEvent`. */
  emit: (e: AgentEvent) => void;
}

/** The dependencies of `driveRun` for one agent run, acting as `req.principal`. */
export function driveDeps(
  host: AgentHost,
  run: AgentRunRecord,
  req: { principal: DriveDeps['principal']; signal?: AbortSignal; onEvent?: (e: AgentEvent) => void },
  o: DriveDepsOptions,
): DriveDeps {
  const onEvent = (e: AgentEvent) => {
    req.onEvent?.(e);
    o.emit(e);
  };
  const modelCtx = (): ModelCallContext => ({
    db: host.db,
    config: host.config,
    models: o.models,
    agentRunId: run.id,
    principal: req.principal,
    signal: req.signal,
    onEvent,
    sleep: o.sleep,
    clock: o.clock,
  });
  return {
    db: host.db,
    config: host.config,
    registry: host.registry,
    router: host.engine.router!,
    embedder: host.embedder,
    engine: host.engine,
    principal: req.principal,
    models: o.models,
    prompts: o.prompts,
    signal: req.signal,
    onEvent,
    clock: o.clock,
    modelCtx,
  };
}
