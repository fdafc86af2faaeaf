import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Language, Parser, type TreeCursor } from 'web-tree-sitter';
import { SkillgateError } from '../../core/errors.js';
import { CODE_LANGUAGES, type CodeLanguage, LANGUAGE_PROFILES, normalizeLanguage } from './languages.js';
import type { SyntaxNode } from './syntax-node.js';

let init: Promise<void> | undefined;
const parsers = new Map<CodeLanguage, Promise<Parser>>();

function grammarDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@repomix/tree-sitter-wasms/package.json')), 'out');
}

/** The tree-sitter parser of a language (WASM grammar loaded once per process). */
export function parserFor(language: CodeLanguage): Promise<Parser> {
  let p = parsers.get(language);
  if (!p) {
    init ??= Parser.init();
    p = init.then(async () => {
      const lang = await Language.load(join(grammarDir(), LANGUAGE_PROFILES[language].wasm));
      const parser = new Parser();
      parser.setLanguage(lang);
      return parser;
    });
    parsers.set(language, p);
    p.catch(() => parsers.delete(language));
  }
  return p;
}

/** Resolves a language name or alias, or throws `code.unsupported_language`. */
export function requireLanguage(name: string): CodeLanguage {
  const lang = normalizeLanguage(name);
  if (!lang) {
    throw new SkillgateError(
      'code.unsupported_language',
      `Language "${name}" is not supported; use one of ${CODE_LANGUAGES.join(', ')}.`,
      { language: name },
    );
  }
  return lang;
}

function convert(cursor: TreeCursor, source: string, parent: SyntaxNode | null): SyntaxNode {
  const start = cursor.startPosition;
  const node: SyntaxNode = {
    type: cursor.nodeType,
    named: cursor.nodeIsNamed,
    field: cursor.currentFieldName,
    text: source.slice(cursor.startIndex, cursor.endIndex),
    row: start.row,
    column: start.column,
    endRow: cursor.endPosition.row,
    children: [],
    parent,
  };
  if (cursor.nodeIsMissing) node.type = 'MISSING';
  if (cursor.gotoFirstChild()) {
    do node.children.push(convert(cursor, source, node));
    while (cursor.gotoNextSibling());
    cursor.gotoParent();
  }
  return node;
}

function firstError(node: SyntaxNode): SyntaxNode | undefined {
  if (node.type === 'ERROR' || node.type === 'MISSING') return node;
  for (const c of node.children) {
    const e = firstError(c);
    if (e) return e;
  }
  return undefined;
}

export interface ParseOptions {
  /** Throw `code.parse_failed` when the tree has syntax errors (default true). */
  strict?: boolean;
}

/**
 * Parses `code` with the real tree-sitter grammar of `language` and returns the tree as plain
 * objects. With `strict` (default), a syntax error raises `code.parse_failed` with its 1-based
 * line and column.
 */
export async function parseCode(
  code: string,
  language: CodeLanguage,
  options: ParseOptions = {},
): Promise<SyntaxNode> {
  const parser = await parserFor(language);
  const tree = parser.parse(code);
  if (!tree)
    throw new SkillgateError('code.parse_failed', `The ${language} parser returned no tree.`, { language });
  const cursor = tree.walk();
  let root: SyntaxNode;
  try {
    root = convert(cursor, code, null);
  } finally {
    cursor.delete();
    tree.delete();
  }
  if (options.strict ?? true) {
    const err = firstError(root);
    if (err) {
      const what = err.type === 'MISSING' ? 'something is missing' : `unexpected "${err.text.slice(0, 40)}"`;
      throw new SkillgateError(
        'code.parse_failed',
        `The ${language} code does not parse: ${what} at line ${err.row + 1}, column ${err.column + 1}.`,
        { language, line: err.row + 1, column: err.column + 1 },
      );
    }
  }
  return root;
}
