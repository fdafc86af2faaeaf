import { z } from 'zod';
import { sha256Hex } from '../../core/hash.js';
import { type CodeLanguage, LANGUAGE_PROFILES } from '../parsing/languages.js';
import { parseCode } from '../parsing/parse-code.js';
import { localRenames } from './local-names.js';
import { normalizeStructure } from './normalize-structure.js';
import { renderCanonical } from './render-canonical.js';

export const CanonicalLevelSchema = z.enum(['format', 'names', 'structure']);
export type CanonicalLevel = z.infer<typeof CanonicalLevelSchema>;
export const CANONICAL_LEVELS = CanonicalLevelSchema.options;

/** Bumped whenever the canonical text of some input changes (fingerprints are comparable within a version). */
export const CANONICALIZER_VERSION = '1';

export interface CanonicalForm {
  language: CodeLanguage;
  level: CanonicalLevel;
  canonical: string;
  /** `sha256("<language>:<level>:v<version>\n" + canonical)`, hex. */
  fingerprint: string;
}

export interface CanonicalizeResult extends CanonicalForm {
  /** The fingerprint at every level (cheap: one parse). */
  fingerprints: Record<CanonicalLevel, string>;
}

export function fingerprintOf(language: CodeLanguage, level: CanonicalLevel, canonical: string): string {
  return sha256Hex(`${language}:${level}:v${CANONICALIZER_VERSION}\n${canonical}`);
}

/**
 * Canonical text and SHA-256 fingerprint of `code` at `level` (default `structure`), parsed with the
 * language's tree-sitter grammar (a syntax error raises `code.parse_failed`). Levels are cumulative:
 * - `format`: layout and comments removed (one token stream, one statement per line);
 * - `names`: plus local names renamed `v0, v1, ...` in order of first use, per function;
 * - `structure`: plus sorted imports, redundant parentheses and trailing commas dropped, integer
 *   and string literals written one way.
 */
export async function canonicalize(
  code: string,
  language: CodeLanguage,
  level: CanonicalLevel = 'structure',
): Promise<CanonicalizeResult> {
  const profile = LANGUAGE_PROFILES[language];
  const root = await parseCode(code, language);
  const texts = {} as Record<CanonicalLevel, string>;
  texts.format = renderCanonical(root, { profile });
  const renames = localRenames(root, profile);
  texts.names = renderCanonical(root, { profile, renames });
  normalizeStructure(root, profile);
  texts.structure = renderCanonical(root, { profile, renames });
  const fingerprints = {
    format: fingerprintOf(language, 'format', texts.format),
    names: fingerprintOf(language, 'names', texts.names),
    structure: fingerprintOf(language, 'structure', texts.structure),
  };
  return { language, level, canonical: texts[level], fingerprint: fingerprints[level], fingerprints };
}
