import { join } from 'node:path';
import type { Logger } from 'pino';
import { createCodeSampler } from '../agents/models/code-sampler.js';
import { createEmbeddingModel } from '../agents/models/embedding-models.js';
import type { Db } from '../db/db.js';
import { migrate } from '../db/migrate.js';
import { openDb } from '../db/open-db.js';
import { createEmbedder } from '../memory/embedders/create-embedder.js';
import type { Embedder } from '../memory/embedders/embedder.js';
import { LexicalIndex } from '../memory/routing/lexical-index.js';
import { SkillIndex } from '../memory/routing/skill-index.js';
import { PgSkillRouter } from '../memory/routing/skill-router.js';
import type { BuiltinRegistry } from '../tools/builtins/builtin-registry.js';
import { createHandler } from '../tools/handlers/create-handler.js';
import { SqlConnectorPools } from '../tools/handlers/sql-connectors.js';
import { validatePipeline } from '../tools/pipeline/validate-pipeline.js';
import { SkillRegistry } from '../tools/registry.js';
import { shippedBuiltins } from './builtins.js';
import type { Config } from './config/config-schema.js';
import { Engine } from './engine.js';
import { createLogger } from './logger.js';
import { packageRoot } from './package-root.js';
import { SecretStore } from './secrets.js';

export interface CreateAppOptions {
  config: Config;
  /** An open database to use (tests); otherwise opened from config. */
  db?: Db;
  logger?: Logger;
  /** Skill pack folders; default the shipped `skills/` plus `config.skills_dirs`. */
  skillDirs?: string[];
  /** Apply pending migrations at start (default true). */
  migrate?: boolean;
  /** Seed the demo data when the tenant has none (default true). */
  seed?: boolean;
  /** Watch skill folders for changes (default false; `serve` turns it on per config). */
  watch?: boolean;
  /** Builtin handlers; default every shipped builtin. */
  builtins?: BuiltinRegistry;
}

/** Everything a running Skillgate has, wired once for every entry point. */
export interface SkillgateApp {
  config: Config;
  db: Db;
  registry: SkillRegistry;
  engine: Engine;
  logger: Logger;
  secrets: SecretStore;
  embedder: Embedder;
  skillIndex: SkillIndex;
  close(): Promise<void>;
}

export function defaultSkillDirs(config: Config): string[] {
  return [join(packageRoot(), 'skills'), ...config.skills_dirs];
}

export interface CreateSkillRegistryOptions {
  /** Pack folders; default the shipped `skills/` plus `config.skills_dirs`. */
  dirs?: string[];
  /** Builtin handlers; default every shipped builtin. */
  builtins?: BuiltinRegistry;
  /** Pools of sql connectors (opened lazily: loading skills never connects anywhere). */
  connectors?: SqlConnectorPools;
  /** Skill ids pipelines may refer to besides the loaded ones (validating a folder on its own). */
  extraKnownIds?: ReadonlySet<string>;
}

/** The skill registry wired with the handler factory and pipeline validation (not loaded yet). */
export function createSkillRegistry(config: Config, options: CreateSkillRegistryOptions = {}): SkillRegistry {
  const builtins = options.builtins ?? shippedBuiltins();
  const connectors = options.connectors ?? new SqlConnectorPools();
  const extra = options.extraKnownIds;
  return new SkillRegistry({
    dirs: options.dirs ?? defaultSkillDirs(config),
    makeHandler: (skill) => createHandler(skill, { builtins, connectors, config }),
    validatePipeline: (skill, known) =>
      validatePipeline(skill.spec, extra?.size ? new Set([...known, ...extra]) : known, { selfId: skill.id }),
  });
}

/** The configured database: Postgres at `database_url`, else the embedded one in `home` (not migrated). */
export function openConfiguredDb(config: Config): Promise<Db> {
  return openDb({
    databaseUrl: config.database_url,
    home: config.home,
    sharedBuffers: config.pglite.shared_buffers,
    wasmTier: config.pglite.wasm_tier,
  });
}

/** The configured embedder (`embeddings`), its provider's secrets read from env or `home`. */
export function createConfiguredEmbedder(config: Config, secrets: SecretStore): Promise<Embedder> {
  return createEmbedder(
    config.embeddings,
    createEmbeddingModel(config.embeddings, { secret: (n) => secrets.get(n) }),
  );
}

/** Opens storage, migrates, seeds, loads the skills and builds the engine. */
export async function createApp(options: CreateAppOptions): Promise<SkillgateApp> {
  const { config } = options;
  const logger = options.logger ?? createLogger({ level: config.log_level });
  const db = options.db ?? (await openConfiguredDb(config));
  try {
    if (options.migrate ?? true) {
      const r = await migrate(db);
      if (r.applied.length)
        logger.info({ applied: r.applied.map((m) => m.version), current: r.current }, 'migrations applied');
    }
    if (options.seed ?? true) {
      const { seedDemoData } = await import('../tools/demo-seed.js');
      await seedDemoData(db, { tenant: config.tenant });
    }
    const secrets = new SecretStore(config.home);
    const connectors = new SqlConnectorPools();
    const registry = createSkillRegistry(config, {
      dirs: options.skillDirs,
      // `code.repeatability` samples the configured model (none configured: callers give samples).
      builtins: options.builtins ?? shippedBuiltins({ generate: createCodeSampler(config) }),
      connectors,
    });
    registry.loadAll();
    for (const p of registry.problems()) {
      logger.warn({ file: p.file, line: p.line, reason: p.reason }, 'invalid skill file');
    }
    const embedder = await createConfiguredEmbedder(config, secrets);
    const skillIndex = new SkillIndex(db, embedder);
    await skillIndex.sync(registry.list());
    const lexical = new LexicalIndex();
    lexical.rebuild(registry.list());
    // Hot reload keeps the routing index in step (serialised, so syncs never overlap).
    let syncing: Promise<unknown> = Promise.resolve();
    registry.on('change', () => {
      lexical.rebuild(registry.list());
      syncing = syncing
        .then(() => skillIndex.sync(registry.list()))
        .catch((err) => logger.error({ err }, 'skill index sync failed'));
    });
    if (options.watch) await registry.watch();
    const router = new PgSkillRouter({ db, embedder, lexical });
    const engine = new Engine({ db, config, registry, logger, secrets, router, context: { embedder } });
    return {
      config,
      db,
      registry,
      engine,
      logger,
      secrets,
      embedder,
      skillIndex,
      async close() {
        await registry.close();
        await syncing;
        await connectors.close();
        await db.close();
        logger.flush?.();
      },
    };
  } catch (err) {
    if (!options.db) await db.close().catch(() => {});
    throw err;
  }
}
