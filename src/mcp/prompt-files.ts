import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { packageRoot } from '../core/package-root.js';

export const PromptArgumentSchema = z.object({
  name: z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/),
  description: z.string().optional(),
  required: z.boolean().default(false),
});

/** The front matter of a prompt file (`---` YAML `---` at the top of `prompts/<name>.md`). */
export const PromptFrontMatterSchema = z
  .object({
    name: z.string().optional(),
    title: z.string().optional(),
    description: z.string().optional(),
    version: z.union([z.string(), z.number()]).optional(),
    arguments: z.array(PromptArgumentSchema).default([]),
  })
  .passthrough();

export interface PromptFile {
  name: string;
  title?: string;
  description?: string;
  arguments: z.infer<typeof PromptArgumentSchema>[];
  /** The text after the front matter, with `{{ argument }}` placeholders. */
  body: string;
  file: string;
}

/** Splits `---\n<yaml>\n---\n<body>`; a file without front matter is all body. */
export function parsePromptFile(file: string, text: string): PromptFile {
  const m = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?([\s\S]*)$/.exec(text);
  const meta = PromptFrontMatterSchema.parse(m ? (parse(m[1]) ?? {}) : {});
  return {
    name: meta.name ?? basename(file, '.md'),
    title: meta.title,
    description: meta.description,
    arguments: meta.arguments,
    body: m ? m[2] : text,
    file,
  };
}

/** Replaces `{{ name }}` placeholders of declared arguments; others stay as they are. */
export function renderPrompt(prompt: PromptFile, args: Record<string, string | undefined>): string {
  const declared = new Set(prompt.arguments.map((a) => a.name));
  return prompt.body.replace(/\{\{\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}/g, (whole, name: string) =>
    declared.has(name) ? (args[name] ?? '') : whole,
  );
}

export function promptsDir(): string {
  return join(packageRoot(), 'prompts');
}

/**
 * Reads every `*.md` of a prompts folder (default the shipped `prompts/`). Files whose front matter
 * is invalid are skipped and reported through `onProblem`.
 */
export function loadPromptFiles(
  dir = promptsDir(),
  onProblem: (file: string, reason: string) => void = () => {},
): PromptFile[] {
  let names: string[];
  try {
    names = readdirSync(dir)
      .filter((n) => n.endsWith('.md'))
      .sort();
  } catch {
    return [];
  }
  const out: PromptFile[] = [];
  for (const n of names) {
    const file = join(dir, n);
    try {
      out.push(parsePromptFile(file, readFileSync(file, 'utf8')));
    } catch (err) {
      onProblem(file, (err as Error).message);
    }
  }
  return out;
}
