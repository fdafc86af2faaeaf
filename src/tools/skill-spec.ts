import { z } from 'zod';
import { EffectSchema, RiskSchema } from '../core/config/config-schema.js';
import { DurationSchema } from '../core/duration.js';
import { JsonSchemaNodeSchema } from './json-schema-subset.js';

export const SKILL_ID_PATTERN = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;

const TemplateValueSchema = z.unknown();

export const BuiltinHandlerSchema = z
  .object({ type: z.literal('builtin'), name: z.string().min(1) })
  .strict();

export const ModuleHandlerSchema = z
  .object({
    type: z.literal('module'),
    /** Path of a JS/TS module relative to the YAML file; it exports `run(input, ctx)` and optionally `preview`. */
    file: z.string().min(1),
    export: z.string().default('run'),
    memory_mb: z.number().int().min(16).max(4096).default(128),
  })
  .strict();

export const HttpHandlerSchema = z
  .object({
    type: z.literal('http'),
    method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD']).default('GET'),
    /** URL template: `{{ input.x }}` placeholders are URL-encoded; the result must keep the template's origin and path prefix. */
    url: z.string().min(1),
    headers: z.record(z.string(), z.string()).default({}),
    query: z.record(z.string(), z.string()).default({}),
    body: TemplateValueSchema.optional(),
    /** Env vars the templates may read as `{{ secrets.NAME }}`. */
    secrets: z.array(z.string()).default([]),
    /** Maps output fields to JSON pointers into the response (`/data/items`), or `text` / `status`. */
    response: z.record(z.string(), z.string()).optional(),
    max_response_bytes: z.number().int().positive().default(1_048_576),
  })
  .strict();

export const SqlStatementSchema = z
  .object({
    /** One statement; input values only as `:name` parameters (`:tenant` is always bound). */
    sql: z.string().min(1),
    /** Name of this statement's result in the output (default `rows`). */
    as: z.string().optional(),
    /** `many` (rows), `one` (first row or null), `count` (affected rows). */
    returns: z.enum(['many', 'one', 'count']).default('many'),
  })
  .strict();

export const SqlHandlerSchema = z
  .object({
    type: z.literal('sql'),
    /** A connector id of type postgres; default the app database (schema `demo`). */
    connector: z.string().optional(),
    statements: z.array(SqlStatementSchema).min(1),
  })
  .strict();

export const PipelineStepSchema = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9_]*$/, 'step ids are lower_snake_case'),
    uses: z.string().regex(SKILL_ID_PATTERN, 'uses must be a skill id'),
    /** Input of the step: templates over `input` (the pipeline's) and `steps.<id>.output`. */
    with: z.record(z.string(), TemplateValueSchema).default({}),
    needs: z.array(z.string()).default([]),
    /** Run only when this template evaluates truthy. */
    if: z.string().optional(),
  })
  .strict();
export type PipelineStep = z.infer<typeof PipelineStepSchema>;

export const PipelineHandlerSchema = z
  .object({
    type: z.literal('pipeline'),
    steps: z.array(PipelineStepSchema).min(1),
    /** Steps run (in order) when any step fails, e.g. a rollback. */
    on_failure: z.array(PipelineStepSchema).default([]),
    /** The pipeline's output: a template over `input` and `steps` (default: every step's output). */
    output: TemplateValueSchema.optional(),
    concurrency: z.number().int().min(1).max(32).default(4),
  })
  .strict();

export const HandlerSpecSchema = z.discriminatedUnion('type', [
  BuiltinHandlerSchema,
  ModuleHandlerSchema,
  HttpHandlerSchema,
  SqlHandlerSchema,
  PipelineHandlerSchema,
]);
export type HandlerSpec = z.infer<typeof HandlerSpecSchema>;

export const SkillApprovalSchema = z
  .object({
    /** `auto`: decided by effects, risk and policy; `always`: every run needs approval; `never`: none. */
    mode: z.enum(['auto', 'always', 'never']).default('auto'),
    approvers: z.array(z.string()).optional(),
    quorum: z.number().int().min(1).optional(),
    expires_in: DurationSchema.optional(),
  })
  .strict();

/**
 * A skill: a declarative automation unit, one YAML file in `skills/<pack>/`. This schema is the
 * only definition of the format; `skillgate skills schema` exports it as JSON Schema for editors.
 */
export const SkillSpecSchema = z
  .object({
    id: z.string().regex(SKILL_ID_PATTERN, 'ids look like pack.name (lower_snake_case parts)'),
    version: z.string().regex(/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/, 'version must be semver (1.2.3)'),
    title: z.string().min(1).max(80),
    description: z.string().min(1),
    tags: z.array(z.string()).default([]),
    /** Utterances people would use to ask for this skill (routing). */
    examples: z.array(z.string()).default([]),
    input: JsonSchemaNodeSchema.default({ type: 'object', properties: {} }),
    output: JsonSchemaNodeSchema.optional(),
    effects: EffectSchema,
    risk: RiskSchema,
    /** Default: `<pack>.<effects>` (e.g. `crm.read`). */
    permissions: z.array(z.string()).optional(),
    approval: SkillApprovalSchema.default({ mode: 'auto' }),
    idempotent: z.boolean().default(false),
    /** Retries on failure; honoured only when `idempotent`. */
    max_retries: z.number().int().min(0).max(10).default(0),
    cost: z
      .object({ estimate_usd: z.number().nonnegative().default(0) })
      .strict()
      .default({ estimate_usd: 0 }),
    timeout_ms: z.number().int().positive().max(3_600_000).default(30_000),
    /** Internal skills are usable in pipelines but not routed to or listed as tools. */
    internal: z.boolean().default(false),
    deprecated: z
      .object({
        message: z.string(),
        replaced_by: z.string().optional(),
        disabled: z.boolean().default(false),
      })
      .strict()
      .optional(),
    handler: HandlerSpecSchema,
  })
  .strict()
  .superRefine((spec, ctx) => {
    if (spec.input.type !== 'object') {
      ctx.addIssue({ code: 'custom', path: ['input', 'type'], message: 'a skill input must be an object' });
    }
  });

export type SkillSpec = z.infer<typeof SkillSpecSchema>;
export type SkillSpecInput = z.input<typeof SkillSpecSchema>;

export function packOf(skillId: string): string {
  return skillId.split('.')[0];
}

/** The permissions a skill requires (declared, or `<pack>.<effects>`). */
export function requiredPermissions(spec: Pick<SkillSpec, 'id' | 'effects' | 'permissions'>): string[] {
  return spec.permissions && spec.permissions.length > 0
    ? spec.permissions
    : [`${packOf(spec.id)}.${spec.effects}`];
}

/** JSON Schema of the skill file format, for editors (`skillgate skills schema`). */
export function skillFileJsonSchema(): unknown {
  return z.toJSONSchema(SkillSpecSchema, { io: 'input', unrepresentable: 'any' });
}
