import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { SkillgateError } from '../../core/errors.js';
import { packageRoot } from '../../core/package-root.js';

export const PROMPT_NAMES = ['planner', 'executor', 'critic', 'synthesizer'] as const;
export type PromptName = (typeof PROMPT_NAMES)[number];

/** Front matter of `prompts/<name>.md`: simple YAML shared with the MCP prompts. */
export const PromptFrontMatterSchema = z.object({
  name: z.string().min(1),
  title: z.string().optional(),
  version: z.union([z.string(), z.number()]).transform(String),
  description: z.string().default(''),
  arguments: z
    .array(
      z.object({
        name: z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/),
        description: z.string().optional(),
        required: z.boolean().default(false),
      }),
    )
    .default([]),
});
export type PromptFrontMatter = z.infer<typeof PromptFrontMatterSchema>;

export interface PromptTemplate extends PromptFrontMatter {
  body: string;
  /** `planner@1.1.0`: recorded with every model call and every step it produced. */
  ref: string;
}

/** A rendered prompt ready for a model call. */
export interface RenderedPrompt {
  name: PromptName;
  ref: string;
  text: string;
}

function stringify(value: unknown): string {
  if (value === undefined || value === null) return '(none)';
  if (typeof value === 'string') return value.trim() === '' ? '(none)' : value;
  return JSON.stringify(value, null, 2);
}

/** Parses one prompt file (`---` YAML front matter `---` body). Throws `config.invalid`. */
export function parsePromptTemplate(file: string, text: string): PromptTemplate {
  const m = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?([\s\S]*)$/.exec(text);
  if (!m)
    throw new SkillgateError('config.invalid', `${file}: a prompt needs a YAML front matter.`, { file });
  const meta = PromptFrontMatterSchema.safeParse(parse(m[1]) ?? {});
  if (!meta.success) {
    throw new SkillgateError(
      'config.invalid',
      `${file}: invalid front matter: ${meta.error.issues[0].message}`,
      {
        file,
      },
    );
  }
  return { ...meta.data, body: m[2], ref: `${meta.data.name}@${meta.data.version}` };
}

/**
 * The versioned prompt templates of the agent loop, loaded once at start from `prompts/`.
 * `{{ name }}` placeholders are the declared arguments; values that are not strings are rendered
 * as JSON, missing optional ones as `(none)`. A missing required argument throws.
 */
export class PromptLibrary {
  private readonly templates = new Map<PromptName, PromptTemplate>();

  constructor(dir = join(packageRoot(), 'prompts')) {
    for (const name of PROMPT_NAMES) {
      const file = join(dir, `${name}.md`);
      this.templates.set(name, parsePromptTemplate(file, readFileSync(file, 'utf8')));
    }
  }

  get(name: PromptName): PromptTemplate {
    return this.templates.get(name)!;
  }

  render(name: PromptName, args: Record<string, unknown>): RenderedPrompt {
    const t = this.get(name);
    for (const a of t.arguments) {
      if (a.required && (args[a.name] === undefined || args[a.name] === null)) {
        throw new SkillgateError('internal.error', `Prompt ${t.ref} needs the argument "${a.name}".`);
      }
    }
    const declared = new Set(t.arguments.map((a) => a.name));
    const text = t.body.replace(/\{\{\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}/g, (whole, key: string) =>
      declared.has(key) ? stringify(args[key]) : whole,
    );
    return { name, ref: t.ref, text };
  }
}
