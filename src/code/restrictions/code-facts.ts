import type { LanguageProfile } from '../parsing/languages.js';
import { childByField, namedChildren, type SyntaxNode, walk } from '../parsing/syntax-node.js';

/** A function of the file, as the per-function rules see it. */
export interface FunctionFact {
  /** Declared name; `<anonymous>` for lambdas and unnamed arrows. */
  name: string;
  node: SyntaxNode;
  /** The node to report at (the name, or the function). */
  at: SyntaxNode;
  params: SyntaxNode[];
  body: SyntaxNode | undefined;
  lines: number;
}

/** Everything detectors share: the tree, the source and the language profile. */
export interface CodeFacts {
  root: SyntaxNode;
  source: string;
  profile: LanguageProfile;
  functions: FunctionFact[];
}

function cFunctionName(fn: SyntaxNode): SyntaxNode | undefined {
  let d = childByField(fn, 'declarator');
  while (d && d.type !== 'identifier') d = childByField(d, 'declarator');
  return d;
}

function nameNode(fn: SyntaxNode, profile: LanguageProfile): SyntaxNode | undefined {
  if (profile.id === 'c') return cFunctionName(fn);
  const own = childByField(fn, 'name');
  if (own) return own;
  const p = fn.parent;
  if (p?.type === 'variable_declarator') return childByField(p, 'name');
  if (p?.type === 'assignment' && fn.field === 'right') return childByField(p, 'left');
  return undefined;
}

function paramsOf(fn: SyntaxNode, profile: LanguageProfile): SyntaxNode[] {
  if (profile.id === 'c') {
    let d = childByField(fn, 'declarator');
    while (d && d.type !== 'function_declarator') d = childByField(d, 'declarator');
    const list = d && childByField(d, 'parameters');
    const ps = list ? namedChildren(list).filter((p) => p.type !== 'comment') : [];
    // `f(void)` has no parameters.
    return ps.length === 1 && ps[0].text.trim() === 'void' ? [] : ps;
  }
  const single = childByField(fn, 'parameter');
  if (single) return [single];
  const list = childByField(fn, 'parameters');
  return list ? namedChildren(list).filter((p) => !profile.comments.has(p.type)) : [];
}

export function collectFacts(root: SyntaxNode, source: string, profile: LanguageProfile): CodeFacts {
  const functions: FunctionFact[] = [];
  walk(root, (n) => {
    if (profile.functions.has(n.type)) {
      const name = nameNode(n, profile);
      functions.push({
        name: name?.text ?? '<anonymous>',
        node: n,
        at: name ?? n,
        params: paramsOf(n, profile),
        body: childByField(n, 'body'),
        lines: n.endRow - n.row + 1,
      });
    }
    return undefined;
  });
  return { root, source, profile, functions };
}

/** The called name of a call node: `f` for `f(x)`, `g` for `obj.g(x)`; undefined for computed callees. */
export function calleeName(call: SyntaxNode): string | undefined {
  const fn = childByField(call, 'function') ?? childByField(call, 'constructor');
  if (!fn) return undefined;
  if (fn.type === 'identifier') return fn.text;
  if (fn.type === 'attribute') return childByField(fn, 'attribute')?.text;
  if (fn.type === 'member_expression') return childByField(fn, 'property')?.text;
  if (fn.type === 'field_expression') return childByField(fn, 'field')?.text;
  return undefined;
}

/** Every call inside `node`, not descending into nested functions unless `nested`. */
export function callsIn(node: SyntaxNode, profile: LanguageProfile, nested = true): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  walk(node, (n) => {
    if (n !== node && !nested && profile.functions.has(n.type)) return false;
    if (profile.calls.has(n.type)) out.push(n);
    return undefined;
  });
  return out;
}

/** True for a literal that is always true (`True`, `true`, `1`), through parentheses. */
export function isConstantTrue(node: SyntaxNode | undefined): boolean {
  if (!node) return false;
  if (node.type === 'parenthesized_expression' || node.type === 'condition_clause') {
    const inner = namedChildren(node).filter((c) => c.type !== 'comment');
    return inner.length === 1 && isConstantTrue(inner[0]);
  }
  const t = node.text.trim();
  return t === 'True' || t === 'true' || /^[1-9][0-9]*[uUlL]*$/.test(t);
}
