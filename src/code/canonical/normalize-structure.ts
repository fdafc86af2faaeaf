import type { LanguageProfile } from '../parsing/languages.js';
import { namedChildren, type SyntaxNode } from '../parsing/syntax-node.js';
import { renderCanonical } from './render-canonical.js';

/** Inner expressions that never need parentheses around them. */
const PRIMARY = new Set([
  'identifier',
  'integer',
  'float',
  'number',
  'number_literal',
  'string',
  'string_literal',
  'char_literal',
  'true',
  'false',
  'none',
  'null',
  'undefined',
  'this',
  'call',
  'call_expression',
  'attribute',
  'member_expression',
  'field_expression',
  'subscript',
  'subscript_expression',
  'parenthesized_expression',
]);
/** Inner expressions whose parentheses are syntax (tuples, sequences, yields, object literals). */
const KEEP_INNER = new Set([
  'sequence_expression',
  'comma_expression',
  'yield',
  'yield_expression',
  'generator_expression',
  'object',
  'object_pattern',
  'assignment_expression',
  'named_expression',
  'conditional_expression',
  'lambda',
  'arrow_function',
  'function_expression',
]);
/** Where a parenthesized expression is a whole operand (statement, argument, right-hand side). */
function isWholeOperand(paren: SyntaxNode, profile: LanguageProfile): boolean {
  const p = paren.parent;
  if (!p) return false;
  if (p.type === 'parenthesized_expression' || p.type === 'return_statement') return true;
  if (p.type === 'argument_list' || p.type === 'arguments') return true;
  if ((p.type === 'assignment' || p.type === 'assignment_expression') && paren.field === 'right') return true;
  if ((p.type === 'variable_declarator' || p.type === 'init_declarator') && paren.field === 'value')
    return true;
  if (profile.id === 'python' && paren.field === 'condition') return true;
  return false;
}

function dropParens(node: SyntaxNode, profile: LanguageProfile): void {
  for (const c of node.children) dropParens(c, profile);
  node.children = node.children.map((c) => {
    if (c.type !== 'parenthesized_expression') return c;
    const inner = namedChildren(c).filter((x) => !profile.comments.has(x.type));
    if (inner.length !== 1) return c;
    const e = inner[0];
    if (KEEP_INNER.has(e.type)) return c;
    if (!PRIMARY.has(e.type) && !isWholeOperand(c, profile)) return c;
    e.parent = node;
    e.field = c.field;
    return e;
  });
}

const NO_TRAILING_COMMA_DROP = new Set([
  'tuple',
  'tuple_pattern',
  'pattern_list',
  'expression_list',
  'parenthesized_expression',
]);

function dropTrailingCommas(node: SyntaxNode): void {
  for (const c of node.children) dropTrailingCommas(c);
  if (NO_TRAILING_COMMA_DROP.has(node.type)) return;
  node.children = node.children.filter((c, i, all) => {
    if (c.named || c.text !== ',') return true;
    const next = all.slice(i + 1).find((n) => n.type !== 'comment');
    return !(next && !next.named && (next.text === ')' || next.text === ']' || next.text === '}'));
  });
}

/** Decimal form of an integer literal (hex, octal, binary, digit separators); undefined when not an integer. */
export function decimalInteger(text: string, language: LanguageProfile['id']): string | undefined {
  let t = text.replace(/_/g, '');
  let suffix = '';
  if (language === 'c') {
    const m = /[uUlL]+$/.exec(t);
    if (m) {
      suffix = m[0].toLowerCase();
      t = t.slice(0, -m[0].length);
    }
    if (/^0[0-7]+$/.test(t)) t = `0o${t.slice(1)}`;
    t = t.replace(/'/g, '');
  }
  if (language === 'javascript' || language === 'typescript') {
    if (t.endsWith('n')) {
      suffix = 'n';
      t = t.slice(0, -1);
    }
    if (/^0\d/.test(t)) return undefined;
  }
  if (!/^(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|[0-9]+)$/.test(t)) return undefined;
  return BigInt(t).toString() + suffix;
}

/** `'abc'` -> `"abc"` when the literal has no prefix, escapes or double quotes inside. */
function doubleQuoted(text: string): string | undefined {
  if (text.length < 2 || text[0] !== "'" || text[text.length - 1] !== "'" || text.startsWith("'''"))
    return undefined;
  const inner = text.slice(1, -1);
  if (inner.includes('\\') || inner.includes('"') || inner.includes("'")) return undefined;
  return `"${inner}"`;
}

function normalizeLiterals(node: SyntaxNode, profile: LanguageProfile): void {
  const lang = profile.id;
  if (node.type === 'integer' || node.type === 'number' || node.type === 'number_literal') {
    const d = decimalInteger(node.text, lang);
    if (d !== undefined) node.text = d;
    return;
  }
  if (node.type === 'string' && lang !== 'c') {
    const q = doubleQuoted(node.text);
    if (q !== undefined) node.text = q;
    return;
  }
  for (const c of node.children) normalizeLiterals(c, profile);
}

/** Sorts comma-separated named children (import names) in place, rebuilding the separators. */
function sortNameList(node: SyntaxNode, isName: (c: SyntaxNode) => boolean, profile: LanguageProfile): void {
  const names = node.children.filter(isName);
  if (names.length < 2) return;
  const first = node.children.indexOf(names[0]);
  const keyed = names
    .map((n) => ({ n, key: renderCanonical(n, { profile }) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const comma = node.children.find((c) => c.text === ',' && !c.named);
  const rebuilt: SyntaxNode[] = [];
  keyed.forEach(({ n }, i) => {
    if (i > 0 && comma) rebuilt.push(comma);
    rebuilt.push(n);
  });
  const before = node.children.slice(0, first).filter((c) => c.text !== '(');
  const after = node.children
    .slice(node.children.indexOf(names[names.length - 1]) + 1)
    .filter((c) => c.text !== ')' && c.text !== ',');
  node.children = [...before, ...rebuilt, ...after];
}

function sortImports(root: SyntaxNode, profile: LanguageProfile): void {
  for (const imp of root.children.filter((c) => profile.imports.has(c.type))) {
    if (profile.id === 'python') sortNameList(imp, (c) => c.field === 'name', profile);
    else if (profile.id !== 'c') {
      const clause = namedChildren(imp).find((c) => c.type === 'import_clause');
      const named = clause && namedChildren(clause).find((c) => c.type === 'named_imports');
      if (named) sortNameList(named, (c) => c.type === 'import_specifier', profile);
    }
  }
  const out: SyntaxNode[] = [];
  let run: SyntaxNode[] = [];
  const flush = () => {
    const keyed = run.map((n) => ({ n, key: renderCanonical(n, { profile }) }));
    keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    out.push(...keyed.map((k) => k.n));
    run = [];
  };
  for (const c of root.children) {
    if (profile.comments.has(c.type)) continue;
    const future = c.type === 'future_import_statement';
    if (profile.imports.has(c.type) && !future) run.push(c);
    else {
      flush();
      out.push(c);
    }
  }
  flush();
  root.children = out;
}

/**
 * The `structure`-level normalisations, applied in place (see skills/code/README.md):
 * 1. contiguous runs of top-level imports (Python `import`/`from`, JS/TS `import`, C `#include`)
 *    are sorted, and so are the names inside one Python `from x import ...` or JS `import {...}`;
 * 2. redundant parentheses are dropped: around primaries, double parentheses, and around whole
 *    operands (returned values, arguments, right-hand sides, Python conditions);
 * 3. trailing commas before a closing bracket are dropped (not in tuples);
 * 4. integer literals are written in decimal without digit separators; single-quoted strings
 *    without escapes or quotes become double-quoted (Python, JavaScript, TypeScript).
 */
export function normalizeStructure(root: SyntaxNode, profile: LanguageProfile): void {
  sortImports(root, profile);
  dropParens(root, profile);
  dropTrailingCommas(root);
  normalizeLiterals(root, profile);
}
