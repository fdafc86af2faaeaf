import type { Logger } from 'pino';
import type { Db } from '../db/db.js';
import type { Handler, HandlerContext } from '../tools/handler.js';
import type { SkillRegistry } from '../tools/registry.js';
import type { Skill } from '../tools/skill.js';
import type { Config } from './config/config-schema.js';
import type { EngineEvent } from './events.js';
import type { Clock, IdGenerator } from './ids.js';
import type { OutcomeWriter } from './records/outcome-writer.js';
import type { RunRequest, RunResult } from './run-request.js';
import type { SecretStore } from './secrets.js';

/** Internal per-run flags of `Engine.run`. */
export interface RunFlags {
  /** The parent run was approved: a child's `require` becomes auto (a `deny` still denies). */
  coveredByApproval?: boolean;
}

/** A resolved skill and its handler, as `SkillRegistry.require` returns them. */
export interface SkillEntry {
  skill: Skill;
  handler: Handler;
}

/**
 * What the engine's helper modules (`run-*`, `engine-approvals`) need of one `Engine`: its
 * collaborators and the re-entrant calls. Built once per engine; never exported from `engine.ts`.
 * Re-entrant calls (`run`, `executeApproved`) go through the engine's public methods.
 */
export interface EngineInternals {
  readonly db: Db;
  readonly config: Config;
  readonly registry: SkillRegistry;
  readonly logger: Logger;
  readonly secrets: SecretStore;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  /** Writes run outcomes outside transactions (group commit under concurrency). */
  readonly outcomes: OutcomeWriter;
  /** Emits on the engine's `event` channel (a throwing listener throws here, as with EventEmitter). */
  emit(event: EngineEvent): void;
  /** `Engine.run`: child runs of pipeline steps. */
  run(req: RunRequest, flags?: RunFlags): Promise<RunResult>;
  /** `Engine.executeApproved`: runs an approved approval once. */
  executeApproved(approvalId: string): Promise<RunResult | undefined>;
  /** `EngineOptions.context`, read at each handler-context creation. */
  extraContext(): Partial<HandlerContext> | undefined;
}
