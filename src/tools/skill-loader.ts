import { LineCounter, parseDocument } from 'yaml';
import { sha256Hex } from '../core/hash.js';
import { yamlLineOf } from '../core/yaml-lines.js';
import { compileJsonSchema } from './json-schema-subset.js';
import type { Skill } from './skill.js';
import { requiredPermissions, SkillSpecSchema } from './skill-spec.js';

/** A problem with a skill file, located as precisely as we can. */
export interface SkillFileProblem {
  file: string;
  line?: number;
  /** Path inside the document (`handler.statements.0.sql`), when known. */
  path?: string;
  reason: string;
  skillId?: string;
}

export interface ParsedSkillFile {
  skill?: Skill;
  problems: SkillFileProblem[];
}

/** Parses and validates one skill YAML text. Never throws: problems are returned. */
export function parseSkillFile(file: string, text: string): ParsedSkillFile {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true });
  if (doc.errors.length > 0) {
    return {
      problems: doc.errors.map((e) => ({
        file,
        line: e.linePos?.[0].line,
        reason: `invalid YAML: ${e.message.split('\n')[0]}`,
      })),
    };
  }
  const data = doc.toJS();
  const rawId = data && typeof data === 'object' && typeof data.id === 'string' ? data.id : undefined;
  const parsed = SkillSpecSchema.safeParse(data);
  if (!parsed.success) {
    return {
      problems: parsed.error.issues.map((issue) => {
        const path = issue.path.map(String).join('.');
        return {
          file,
          line: yamlLineOf(doc, lineCounter, issue.path),
          path: path || undefined,
          reason: `${path || '(document)'}: ${issue.message}`,
          skillId: rawId,
        };
      }),
    };
  }
  const spec = parsed.data;
  try {
    const skill: Skill = {
      spec,
      id: spec.id,
      inputSchema: compileJsonSchema(spec.input),
      outputSchema: spec.output ? compileJsonSchema(spec.output) : undefined,
      permissions: requiredPermissions(spec),
      file,
      source: text,
      hash: sha256Hex(text),
    };
    return { skill, problems: [] };
  } catch (err) {
    return {
      problems: [{ file, reason: `cannot compile schemas: ${(err as Error).message}`, skillId: spec.id }],
    };
  }
}
