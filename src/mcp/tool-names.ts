import { createHash } from 'node:crypto';

/** What model APIs accept as a tool name. */
export const TOOL_NAME_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/;

/** Names of the meta tools; a skill never takes one of these. */
export const META_TOOL_NAMES = ['skills_search', 'ask', 'approvals_list', 'approvals_decide', 'runs_get'];

function fitName(name: string, id: string): string {
  if (name.length <= 64) return name;
  const hash = createHash('sha256').update(id).digest('hex').slice(0, 8);
  return `${name.slice(0, 55)}_${hash}`;
}

/**
 * The tool name of a skill id: dots become underscores (`crm.find_customer` -> `crm_find_customer`).
 * Ids longer than 64 characters are cut and suffixed with a hash of the id.
 */
export function toolNameOf(skillId: string): string {
  return fitName(skillId.replaceAll('.', '_'), skillId);
}

/**
 * A two-way map of skill ids and tool names for one set of skills. Names are stable and unique:
 * when two ids map to the same name (`a.b_c`, `a_b.c`) or a skill would take a meta tool's name, the
 * later id (in sorted order) gets dots as dashes instead (`a_b-c`), which no other id can produce.
 */
export class ToolNameMap {
  private readonly byName = new Map<string, string>();
  private readonly byId = new Map<string, string>();

  constructor(skillIds: Iterable<string>) {
    const taken = new Set(META_TOOL_NAMES);
    for (const id of [...skillIds].sort()) {
      let name = toolNameOf(id);
      if (taken.has(name)) name = fitName(id.replaceAll('.', '-'), id);
      taken.add(name);
      this.byName.set(name, id);
      this.byId.set(id, name);
    }
  }

  nameOf(skillId: string): string | undefined {
    return this.byId.get(skillId);
  }

  skillOf(toolName: string): string | undefined {
    return this.byName.get(toolName);
  }
}
