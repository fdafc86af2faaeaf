import { type CodeLanguage, LANGUAGE_PROFILES } from '../parsing/languages.js';
import { parseCode } from '../parsing/parse-code.js';
import { collectFacts } from './code-facts.js';
import { DETECTORS, detectorLanguages } from './detectors/detector-table.js';
import type { DetectorImpl } from './detectors/finding.js';
import type { RestrictionRule, RestrictionSet } from './restriction-set.js';

export interface Violation {
  rule: string;
  severity: RestrictionRule['severity'];
  enforcement: RestrictionRule['enforcement'];
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  message: string;
}

export interface RestrictionCheckResult {
  set: { id: string; version: string };
  language: CodeLanguage;
  /** False when any strict rule has a violation. */
  passed: boolean;
  violations: Violation[];
  counts: { strict: number; advisory: number };
  rules_checked: string[];
  /** Rules not applicable to this language (and why). */
  rules_skipped: { rule: string; reason: string }[];
}

/**
 * Checks `code` against every rule of `set` that applies to `language`, on the tree-sitter syntax
 * tree (a syntax error raises `code.parse_failed`). A failed check is a normal result
 * (`passed: false`), not an error. Violations are sorted by line, column, rule.
 */
export async function checkRestrictions(
  code: string,
  language: CodeLanguage,
  set: RestrictionSet,
): Promise<RestrictionCheckResult> {
  const profile = LANGUAGE_PROFILES[language];
  const root = await parseCode(code, language);
  const facts = collectFacts(root, code, profile);
  const violations: Violation[] = [];
  const checked: string[] = [];
  const skipped: { rule: string; reason: string }[] = [];
  for (const rule of set.rules) {
    if (rule.languages && !rule.languages.includes(language)) {
      skipped.push({ rule: rule.id, reason: `the rule is limited to ${rule.languages.join(', ')}` });
      continue;
    }
    if (!detectorLanguages(rule.detector).includes(language)) {
      skipped.push({ rule: rule.id, reason: `${rule.detector.type} is not checkable in ${language}` });
      continue;
    }
    checked.push(rule.id);
    const impl = DETECTORS[rule.detector.type] as DetectorImpl<unknown>;
    for (const f of impl.detect(facts, rule.detector)) {
      violations.push({
        rule: rule.id,
        severity: rule.severity,
        enforcement: rule.enforcement,
        line: f.row + 1,
        column: f.column + 1,
        message: f.message,
      });
    }
  }
  violations.sort(
    (a, b) => a.line - b.line || a.column - b.column || (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0),
  );
  const strict = violations.filter((v) => v.enforcement === 'strict').length;
  return {
    set: { id: set.id, version: set.version },
    language,
    passed: strict === 0,
    violations,
    counts: { strict, advisory: violations.length - strict },
    rules_checked: checked,
    rules_skipped: skipped,
  };
}
