import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { SkillgateError } from '../../core/errors.js';
import { packageRoot } from '../../core/package-root.js';

/** Languages whose oracle tests the sandbox can run. */
export const OracleLanguageSchema = z.enum(['python', 'javascript']);
export type OracleLanguage = z.infer<typeof OracleLanguageSchema>;

/**
 * A repeatability contract (`skills/code/contracts/<id>.yaml`): what to ask a model for, and how to
 * judge an answer (oracle tests: positional arguments and the expected JSON value).
 */
export const ContractSchema = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9_]*$/),
    title: z.string().min(1),
    language: OracleLanguageSchema,
    function: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/),
    prompt: z.string().min(1),
    oracle: z.array(z.object({ args: z.array(z.unknown()), expect: z.unknown() }).strict()).min(1),
    restriction_set: z.string().optional(),
    reference: z.string().optional(),
  })
  .strict();
export type Contract = z.infer<typeof ContractSchema>;

export function contractsDir(): string {
  return join(packageRoot(), 'skills', 'code', 'contracts');
}

let cached: Map<string, Contract> | undefined;

/** The shipped contracts by id (fibonacci_basic, slugify, fizzbuzz, gcd, ...), loaded once. */
export function contractPresets(): ReadonlyMap<string, Contract> {
  if (cached) return cached;
  const out = new Map<string, Contract>();
  for (const file of readdirSync(contractsDir()).sort()) {
    if (!/\.ya?ml$/.test(file)) continue;
    const r = ContractSchema.safeParse(parseYaml(readFileSync(join(contractsDir(), file), 'utf8')));
    if (!r.success)
      throw new Error(
        `Invalid contract ${file}: ${r.error.issues[0].path.join('.')}: ${r.error.issues[0].message}`,
      );
    out.set(r.data.id, r.data);
  }
  cached = out;
  return out;
}

/** A preset contract by id, or an inline contract object; throws `code.contract_not_found` / `skill.input_invalid`. */
export function resolveContract(ref: string | unknown): Contract {
  if (typeof ref === 'string') {
    const c = contractPresets().get(ref);
    if (!c) {
      throw new SkillgateError(
        'code.contract_not_found',
        `No contract "${ref}"; presets: ${[...contractPresets().keys()].join(', ')}.`,
        {
          contract: ref,
        },
      );
    }
    return c;
  }
  const r = ContractSchema.safeParse(ref);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new SkillgateError('skill.input_invalid', `contract.${i.path.join('.')}: ${i.message}`, {
      path: i.path.join('.'),
    });
  }
  return r.data;
}
