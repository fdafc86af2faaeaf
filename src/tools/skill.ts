import type { z } from 'zod';
import type { SkillSpec } from './skill-spec.js';

/** A loaded, validated skill: its spec plus the zod schemas compiled once from it. */
export interface Skill {
  readonly spec: SkillSpec;
  readonly id: string;
  readonly inputSchema: z.ZodType;
  readonly outputSchema?: z.ZodType;
  /** Permissions required (declared or `<pack>.<effects>`). */
  readonly permissions: string[];
  /** The YAML file it came from and its text (shown by `skills show` and MCP resources). */
  readonly file: string;
  readonly source: string;
  /** sha256 of the source: changes whenever the file does. */
  readonly hash: string;
}
