import { SkillgateError } from '../../core/errors.js';
import type { BuiltinRegistry } from '../builtins/builtin-registry.js';
import type { Handler } from '../handler.js';
import type { Skill } from '../skill.js';
import { toHandlerResult } from './handler-utils.js';

/**
 * `handler: {type: builtin, name}`: a TypeScript function registered in the builtin registry.
 * An unknown name throws `handler.unknown` here, so the registry rejects the skill at load time.
 * The builtin's `run` may return a `HandlerResult` (`{output, costUsd?, tokens?}`) or a plain
 * value (wrapped as the output). `preview` exists only when the builtin defines one.
 */
export function createBuiltinHandler(skill: Skill, name: string, builtins: BuiltinRegistry): Handler {
  const builtin = builtins.get(name);
  if (!builtin) {
    throw new SkillgateError(
      'handler.unknown',
      `Skill ${skill.id} uses the unknown builtin handler "${name}".`,
      {
        skill: skill.id,
        builtin: name,
      },
    );
  }
  const handler: Handler = {
    async run(ctx) {
      return toHandlerResult(await builtin.run(ctx));
    },
  };
  if (builtin.preview) {
    const preview = builtin.preview.bind(builtin);
    handler.preview = (ctx) => preview(ctx);
  }
  return handler;
}
