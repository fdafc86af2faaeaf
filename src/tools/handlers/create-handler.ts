import type { Config } from '../../core/config/config-schema.js';
import { SkillgateError } from '../../core/errors.js';
import type { BuiltinRegistry } from '../builtins/builtin-registry.js';
import type { Handler } from '../handler.js';
import type { Skill } from '../skill.js';
import { createBuiltinHandler } from './builtin-handler.js';
import { createHttpHandler } from './http-handler.js';
import { createModuleHandler } from './module-handler.js';
import { createPipelineHandler } from './pipeline-handler.js';
import type { SqlConnectorPools } from './sql-connectors.js';
import { createSqlHandler } from './sql-handler.js';

/** What handlers need besides the per-run `HandlerContext`. */
export interface HandlerDeps {
  /** Builtin handlers by name (`shippedBuiltins()` plus any extra table). */
  builtins: BuiltinRegistry;
  /** Pools of the postgres connectors used by sql skills; one per process, closed on shutdown. */
  connectors: SqlConnectorPools;
  /** The configuration, for load-time checks (declared connectors). Optional. */
  config?: Config;
}

/**
 * Builds the handler of a skill from `skill.spec.handler.type`. Throws at creation — so that the
 * registry reports the skill file at load time — `handler.unknown` (unknown builtin name or
 * handler type) or `skill.invalid` (a missing or non-JS module file, a URL template without a
 * literal origin, undeclared secrets, a bad template, a SQL `:name` that is not an input field,
 * an unknown connector). Pipelines are validated separately with `validatePipeline`.
 */
export function createHandler(skill: Skill, deps: HandlerDeps): Handler {
  const spec = skill.spec.handler;
  switch (spec.type) {
    case 'builtin':
      return createBuiltinHandler(skill, spec.name, deps.builtins);
    case 'module':
      return createModuleHandler(skill, spec);
    case 'http':
      return createHttpHandler(skill, spec);
    case 'sql':
      return createSqlHandler(skill, spec, { connectors: deps.connectors, config: deps.config });
    case 'pipeline':
      return createPipelineHandler(spec);
    default:
      throw new SkillgateError(
        'handler.unknown',
        `Skill ${skill.id} has the unknown handler type "${(spec as { type: string }).type}".`,
        { skill: skill.id },
      );
  }
}
