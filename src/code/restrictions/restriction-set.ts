import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { SkillgateError } from '../../core/errors.js';
import { CodeLanguageSchema } from '../parsing/languages.js';

export const ConstructSchema = z.enum([
  'goto',
  'global_statement',
  'var_declaration',
  'with_statement',
  'wildcard_import',
  'bare_except',
  'file_scope_mutable',
  'function_pointer',
  'multiple_indirection',
  'function_like_macro',
  'conditional_compilation',
  'float_type',
  'mutable_default_argument',
  'lambda_assignment',
  'compare_to_singleton',
  'multiple_statements_per_line',
]);
export type Construct = z.infer<typeof ConstructSchema>;

const NamingStyleSchema = z.enum(['snake_case', 'camelCase', 'PascalCase', 'UPPER_CASE']);
export type NamingStyle = z.infer<typeof NamingStyleSchema>;

/** Detectors: each runs on the syntax tree (see skills/code/README.md for what each one checks). */
export const DetectorSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('no_recursion') }).strict(),
  z.object({ type: z.literal('forbidden_calls'), names: z.array(z.string().min(1)).min(1) }).strict(),
  z.object({ type: z.literal('forbidden_constructs'), constructs: z.array(ConstructSchema).min(1) }).strict(),
  z.object({ type: z.literal('bounded_loops'), allow_while: z.boolean().default(false) }).strict(),
  z.object({ type: z.literal('max_function_lines'), max: z.number().int().positive() }).strict(),
  z.object({ type: z.literal('max_parameters'), max: z.number().int().nonnegative() }).strict(),
  z.object({ type: z.literal('max_nesting_depth'), max: z.number().int().positive() }).strict(),
  z.object({ type: z.literal('max_line_length'), max: z.number().int().positive() }).strict(),
  z
    .object({
      type: z.literal('min_assertions'),
      min: z.number().int().positive(),
      /** Only functions of at least this many lines are checked. Default 1 (all). */
      min_function_lines: z.number().int().positive().default(1),
      /** Calls that count as assertions (last name segment), besides Python's `assert` statement. */
      functions: z.array(z.string()).default(['assert', 'static_assert', 'ok', 'strictEqual', 'equal']),
    })
    .strict(),
  z
    .object({
      type: z.literal('checked_return_values'),
      /** Library functions whose result must be used, besides functions of the file that return a value. */
      functions: z.array(z.string()).default([]),
    })
    .strict(),
  z
    .object({
      type: z.literal('naming_convention'),
      functions: NamingStyleSchema.optional(),
      classes: NamingStyleSchema.optional(),
      variables: NamingStyleSchema.optional(),
    })
    .strict(),
  z.object({ type: z.literal('fixed_width_integers') }).strict(),
]);
export type Detector = z.infer<typeof DetectorSchema>;
export type DetectorType = Detector['type'];

export const RestrictionRuleSchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'rule ids are letters, digits, _ . -'),
    description: z.string().min(1),
    /** `strict`: a violation fails the check; `advisory`: reported only. */
    enforcement: z.enum(['strict', 'advisory']).default('strict'),
    severity: z.enum(['error', 'warning', 'info']).default('error'),
    /** Languages the rule applies to (default: every language its detector supports). */
    languages: z.array(CodeLanguageSchema).optional(),
    detector: DetectorSchema,
  })
  .strict();
export type RestrictionRule = z.infer<typeof RestrictionRuleSchema>;

/** A restriction set (YAML or JSON): `id`, `version`, `rules[]`. Rule ids are unique within a set. */
export const RestrictionSetSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'set ids are lower-case letters, digits, _ and -'),
    version: z.string().regex(/^\d+(\.\d+){0,2}$/, 'version looks like 1, 1.2 or 1.2.3'),
    title: z.string().optional(),
    description: z.string().optional(),
    rules: z.array(RestrictionRuleSchema).min(1),
  })
  .strict()
  .superRefine((set, ctx) => {
    const seen = new Set<string>();
    set.rules.forEach((r, i) => {
      if (seen.has(r.id))
        ctx.addIssue({ code: 'custom', path: ['rules', i, 'id'], message: `duplicate rule id "${r.id}"` });
      seen.add(r.id);
    });
  });
export type RestrictionSet = z.infer<typeof RestrictionSetSchema>;

/** Validates a restriction set value, or throws `code.restriction_set_invalid` naming the first bad path. */
export function parseRestrictionSet(value: unknown, source = 'restriction set'): RestrictionSet {
  const r = RestrictionSetSchema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0];
    const path = issue.path.join('.') || '(root)';
    throw new SkillgateError('code.restriction_set_invalid', `${source}: ${path}: ${issue.message}`, {
      source,
      path,
      issues: r.error.issues.length,
    });
  }
  return r.data;
}

/** Parses YAML or JSON text (JSON is YAML) into a validated restriction set. */
export function parseRestrictionSetText(text: string, source = 'restriction set'): RestrictionSet {
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (err) {
    throw new SkillgateError(
      'code.restriction_set_invalid',
      `${source}: not valid YAML/JSON: ${(err as Error).message}`,
      {
        source,
      },
    );
  }
  return parseRestrictionSet(value, source);
}
