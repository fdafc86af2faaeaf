import type { Logger } from 'pino';
import type { Config } from '../core/config/config-schema.js';
import type { Engine } from '../core/engine.js';
import type { Db } from '../db/db.js';
import type { Embedder } from '../memory/embedders/embedder.js';
import type { SkillRegistry } from '../tools/registry.js';

/** The parts of a Skillgate app the loop uses (a `SkillgateApp` fits). */
export interface AgentHost {
  config: Config;
  db: Db;
  registry: SkillRegistry;
  engine: Engine;
  embedder: Embedder;
  logger?: Logger;
  secrets?: { get(name: string): string | undefined };
}
