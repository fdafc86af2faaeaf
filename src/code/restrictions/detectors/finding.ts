import type { CodeLanguage } from '../../parsing/languages.js';
import type { CodeFacts } from '../code-facts.js';

/** What a detector reports: a 0-based position and a message. */
export interface Finding {
  row: number;
  column: number;
  message: string;
}

/** A detector implementation: the languages it can check, and the check itself. */
export interface DetectorImpl<P> {
  languages: readonly CodeLanguage[];
  detect(facts: CodeFacts, params: P): Finding[];
}

export function at(node: { row: number; column: number }, message: string): Finding {
  return { row: node.row, column: node.column, message };
}

export const ALL_LANGUAGES: readonly CodeLanguage[] = ['python', 'javascript', 'typescript', 'c'];
