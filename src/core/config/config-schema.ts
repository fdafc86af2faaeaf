import { z } from 'zod';
import { DurationSchema } from '../duration.js';
import { ChatConfigSchema } from './chat-config.js';
import { EmbeddingsConfigSchema } from './embeddings-config.js';
import { LibraryConfigSchema } from './library-config.js';
import { McpConfigSchema } from './mcp-config.js';
import { ModelsConfigSchema } from './models-config.js';
import { JobsConfigSchema, SchedulesConfigSchema, WebhooksConfigSchema } from './triggers-config.js';
import { WebConfigSchema } from './web-config.js';

export const RiskSchema = z.enum(['low', 'medium', 'high']);
export type Risk = z.infer<typeof RiskSchema>;
export const EffectSchema = z.enum(['read', 'write', 'delete', 'external']);
export type Effect = z.infer<typeof EffectSchema>;

/** A role grants permissions (`crm.read`, `*.read`, `ops.*`, `*`), optionally only up to a risk. */
export const RoleSchema = z.object({
  description: z.string().optional(),
  permissions: z.array(z.string().min(1)).default([]),
  /** Skills above this risk are refused for this role even when a permission matches. */
  max_risk: RiskSchema.default('high'),
});
export type Role = z.infer<typeof RoleSchema>;

export const PrincipalSchema = z.object({
  display_name: z.string().optional(),
  tenant: z.string().min(1).default('default'),
  roles: z.array(z.string().min(1)).min(1),
  email: z.string().optional(),
});
export type PrincipalConfig = z.infer<typeof PrincipalSchema>;

/** Per-skill policy overrides; `skill` is an id or a glob (`crm.*`). Later entries win. */
export const PolicyOverrideSchema = z.object({
  skill: z.string().min(1),
  /** Restrict the override to principals holding one of these roles (all principals if omitted). */
  roles: z.array(z.string()).optional(),
  approval: z.enum(['auto', 'require', 'deny']).optional(),
  approvers: z.array(z.string()).optional(),
  quorum: z.number().int().min(1).optional(),
  /** Allow the requester to approve their own high-risk run (off by default). */
  allow_self_approval: z.boolean().optional(),
});
export type PolicyOverride = z.infer<typeof PolicyOverrideSchema>;

export const CapsSchema = z.object({
  daily_usd: z.number().nonnegative().optional(),
  monthly_usd: z.number().nonnegative().optional(),
});

export const BudgetsSchema = z
  .object({
    per_request_usd: z.number().nonnegative().optional(),
    tenant: CapsSchema.default({}),
    user: CapsSchema.default({}),
    /** Caps per principal id, replacing `user` for that principal. */
    users: z.record(z.string(), CapsSchema).default({}),
  })
  .default({ tenant: {}, user: {}, users: {} });

export const ApprovalPolicySchema = z
  .object({
    approver_roles: z.array(z.string()).default(['approver', 'admin']),
    expires_in: DurationSchema.default(24 * 3_600_000),
    quorum: z.number().int().min(1).default(1),
    /** Which risks require approval for write/delete/external skills under `approval.mode: auto`. */
    require_for_risk: z.array(RiskSchema).default(['high']),
  })
  .default({
    approver_roles: ['approver', 'admin'],
    expires_in: 24 * 3_600_000,
    quorum: 1,
    require_for_risk: ['high'],
  });

export const RateLimitSchema = z.object({
  /** Requests allowed in a burst. */
  burst: z.number().int().min(1),
  /** Sustained requests per second. */
  per_second: z.number().positive(),
});

export const ServiceSchema = z.object({
  description: z.string().optional(),
  health_url: z.string().url().optional(),
  /** argv of the restart command (no shell). */
  restart_command: z.array(z.string()).min(1).optional(),
  restart_hook: z.string().url().optional(),
  deploy_command: z.array(z.string()).min(1).optional(),
  deploy_hook: z.string().url().optional(),
  rollback_command: z.array(z.string()).min(1).optional(),
  rollback_hook: z.string().url().optional(),
  cwd: z.string().optional(),
  timeout_ms: z.number().int().positive().default(30_000),
});
export type ServiceConfig = z.infer<typeof ServiceSchema>;

export const ConnectorSchema = z.object({
  type: z.enum(['postgres', 'http', 'outbox']),
  description: z.string().optional(),
  /** Env var holding the DSN (postgres) — never the DSN itself. */
  dsn_env: z.string().optional(),
  base_url: z.string().url().optional(),
  /** Names of env vars holding this connector's secrets (`SKILLGATE_<CONNECTOR>_<KEY>`). */
  secrets: z.array(z.string()).default([]),
});
export type ConnectorConfig = z.infer<typeof ConnectorSchema>;

export const ConfigSchema = z.object({
  /** `$SKILLGATE_HOME`: data, secrets, keys, attachments. */
  home: z.string().default('./.skillgate'),
  /** Postgres URL; the embedded PGlite database is used when absent. */
  database_url: z.string().optional(),
  /** The embedded database (only when `database_url` is absent). */
  pglite: z
    .object({
      /**
       * Postgres `shared_buffers` of the embedded database (default 16MB: the shipped catalogue and
       * a few thousand memories fit, and idle RSS stays low). Raise it (e.g. 512MB) for 100k+
       * memories or 10k+ skills: searches then stay in memory. `$SKILLGATE_PGLITE_SHARED_BUFFERS`.
       */
      shared_buffers: z
        .string()
        .regex(/^\d+(kB|MB|GB)$/, 'a size such as 16MB, 512MB or 1GB')
        .default('16MB'),
      /**
       * How V8 compiles the embedded Postgres (WebAssembly): `baseline` (default) with Liftoff only,
       * ~190 MB idle RSS and a faster start; `optimizing` also tiers hot code up with TurboFan:
       * up to ~1.4x faster compute-heavy SQL (large vector scans) for ~80 MB more RSS.
       * `$SKILLGATE_PGLITE_WASM_TIER`.
       */
      wasm_tier: z.enum(['baseline', 'optimizing']).default('baseline'),
    })
    .default({ shared_buffers: '16MB', wasm_tier: 'baseline' }),
  log_level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  server: z
    .object({
      host: z.string().default('127.0.0.1'),
      port: z.number().int().min(0).max(65535).default(7410),
      body_limit_bytes: z.number().int().positive().default(1_048_576),
      allowed_hosts: z.array(z.string()).default(['127.0.0.1', 'localhost', '[::1]']),
      cors_origins: z.array(z.string()).default([]),
    })
    .default({
      host: '127.0.0.1',
      port: 7410,
      body_limit_bytes: 1_048_576,
      allowed_hosts: ['127.0.0.1', 'localhost', '[::1]'],
      cors_origins: [],
    }),
  tenant: z.string().min(1).default('default'),
  /** The principal the CLI and stdio MCP act as, unless `--as` says otherwise. */
  local_principal: z.string().min(1).default('local'),
  /** What unknown chat users get: no access, or the viewer role. */
  unknown_principal: z.enum(['none', 'viewer']).default('none'),
  roles: z.record(z.string(), RoleSchema).default({}),
  principals: z.record(z.string(), PrincipalSchema).default({}),
  policies: z.array(PolicyOverrideSchema).default([]),
  approval: ApprovalPolicySchema,
  budgets: BudgetsSchema,
  rate_limits: z
    .object({ per_principal: RateLimitSchema.optional(), per_skill: RateLimitSchema.optional() })
    .default({}),
  idempotency_ttl: DurationSchema.default(24 * 3_600_000),
  services: z.record(z.string(), ServiceSchema).default({}),
  connectors: z.record(z.string(), ConnectorSchema).default({}),
  /** Extra skill pack folders besides the shipped `skills/`. */
  skills_dirs: z.array(z.string()).default([]),
  /** Watch skill folders and reload changes (on by default for `serve`). */
  hot_reload: z.boolean().default(true),
  embeddings: EmbeddingsConfigSchema,
  library: LibraryConfigSchema,
  web: WebConfigSchema,
  mcp: McpConfigSchema,
  jobs: JobsConfigSchema,
  webhooks: WebhooksConfigSchema,
  schedules: SchedulesConfigSchema,
  models: ModelsConfigSchema,
  chat: ChatConfigSchema,
});
export type Config = z.infer<typeof ConfigSchema>;
export type ConfigInput = z.input<typeof ConfigSchema>;
