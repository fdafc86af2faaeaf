import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import type { Config } from '../core/config/config-schema.js';
import { approvalRequirement, checkPermissions } from '../core/gates/policy.js';
import type { Principal } from '../core/principal.js';
import type { JsonSchemaNode } from '../tools/json-schema-subset.js';
import type { SkillRegistry } from '../tools/registry.js';
import type { Skill } from '../tools/skill.js';
import { ToolNameMap } from './tool-names.js';

type JsonObject = { [key: string]: unknown };

/** The structured result of a call that waits for approval (also part of such tools' output schema). */
export const APPROVAL_REQUIRED_SCHEMA: JsonObject = {
  type: 'object',
  properties: {
    status: { type: 'string', const: 'approval_required' },
    approval_id: { type: 'string' },
    run_id: { type: 'string' },
    skill: { type: 'string' },
    preview: {},
    expires_at: { type: 'string', format: 'date-time' },
    approver_roles: { type: 'array', items: { type: 'string' } },
    quorum: { type: 'integer' },
    reason: { type: 'string' },
    how_to_decide: { type: 'string' },
    note: { type: 'string' },
  },
  required: ['status', 'approval_id', 'run_id', 'how_to_decide'],
};

/** A skill's JSON Schema subset as plain JSON Schema (`type: any` becomes an unconstrained `{}`). */
export function toJsonSchema(node: JsonSchemaNode): JsonObject {
  const { type, properties, items, ...rest } = node;
  const out: JsonObject = type === 'any' ? { ...rest } : { type, ...rest };
  if (properties) {
    out.properties = Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, toJsonSchema(v)]));
  }
  if (items) out.items = toJsonSchema(items);
  return out;
}

/** Whether a principal may call a skill at all (listing rule; the engine enforces it again on calls). */
export function isToolVisible(config: Config, principal: Principal, skill: Skill): boolean {
  if (skill.spec.internal || skill.spec.deprecated?.disabled) return false;
  if (!checkPermissions(config, principal, skill).allowed) return false;
  return approvalRequirement(config, principal, skill).decision !== 'deny';
}

/** The tool names of every public skill (computed over all of them, so names never depend on who asks). */
export function toolNamesOf(registry: SkillRegistry): ToolNameMap {
  return new ToolNameMap(registry.list({ publicOnly: true }).map((s) => s.id));
}

/**
 * The MCP tool of a skill for one principal: title and description from the spec, the input schema
 * as written in the skill file, the output schema when the skill declares an object output (widened
 * with the `approval_required` shape when this principal's calls wait for approval), and annotations
 * from effects and risk.
 */
export function skillTool(config: Config, principal: Principal, skill: Skill, name: string): Tool {
  const spec = skill.spec;
  const needsApproval = approvalRequirement(config, principal, skill).decision === 'require';
  const tool: Tool = {
    name,
    title: spec.title,
    description: `${spec.description.trim()}\n\nEffects: ${spec.effects}; risk: ${spec.risk}${
      needsApproval ? '; runs only after approval (the result then says how to decide)' : ''
    }.`,
    inputSchema: toJsonSchema(spec.input) as Tool['inputSchema'],
    annotations: {
      title: spec.title,
      readOnlyHint: spec.effects === 'read',
      destructiveHint: spec.effects === 'delete' || (spec.effects !== 'read' && spec.risk === 'high'),
      idempotentHint: spec.idempotent,
      openWorldHint: spec.effects === 'external',
    },
    _meta: { 'skillgate/skill': skill.id, 'skillgate/version': spec.version, 'skillgate/risk': spec.risk },
  };
  if (spec.output?.type === 'object') {
    const out = toJsonSchema(spec.output);
    tool.outputSchema = (
      needsApproval ? { type: 'object', anyOf: [out, APPROVAL_REQUIRED_SCHEMA] } : out
    ) as Tool['outputSchema'];
  }
  return tool;
}

/** Whether calls of this skill answer with `structuredContent` (it declares an object output). */
export function hasStructuredOutput(skill: Skill): boolean {
  return skill.spec.output?.type === 'object';
}
