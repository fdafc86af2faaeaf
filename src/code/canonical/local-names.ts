import type { LanguageProfile } from '../parsing/languages.js';
import {
  childByField,
  childrenByField,
  namedChildren,
  type SyntaxNode,
  walk,
} from '../parsing/syntax-node.js';

/** Names bound by a Python target/pattern (`a`, `a, b`, `[a, *b]`); attributes and subscripts bind nothing local. */
function pythonPattern(node: SyntaxNode | undefined, out: string[]): void {
  if (!node) return;
  if (node.type === 'identifier') out.push(node.text);
  else if (
    [
      'pattern_list',
      'tuple_pattern',
      'list_pattern',
      'list_splat_pattern',
      'tuple',
      'list',
      'as_pattern_target',
    ].includes(node.type)
  )
    for (const c of namedChildren(node)) pythonPattern(c, out);
}

function pythonParams(params: SyntaxNode | undefined, out: string[]): void {
  if (!params) return;
  for (const p of namedChildren(params)) {
    if (p.type === 'identifier') out.push(p.text);
    else if (p.type === 'default_parameter' || p.type === 'typed_default_parameter')
      pythonPattern(childByField(p, 'name'), out);
    else if (p.type === 'typed_parameter')
      pythonPattern(
        namedChildren(p).find((c) => c.field !== 'type'),
        out,
      );
    else if (p.type === 'list_splat_pattern' || p.type === 'dictionary_splat_pattern')
      pythonPattern(namedChildren(p)[0], out);
  }
}

/** Local bindings inside a Python function (params, assignment/loop/with/except targets, nested defs). */
function pythonBindings(fn: SyntaxNode): { bound: string[]; excluded: Set<string> } {
  const bound: string[] = [];
  const excluded = new Set<string>();
  walk(fn, (n) => {
    switch (n.type) {
      case 'function_definition':
      case 'lambda':
        pythonParams(childByField(n, 'parameters'), bound);
        if (n !== fn && n.type === 'function_definition') pythonPattern(childByField(n, 'name'), bound);
        break;
      case 'class_definition':
        pythonPattern(childByField(n, 'name'), bound);
        break;
      case 'assignment':
      case 'augmented_assignment':
      case 'for_statement':
      case 'for_in_clause':
        pythonPattern(childByField(n, 'left'), bound);
        break;
      case 'named_expression':
        pythonPattern(childByField(n, 'name'), bound);
        break;
      case 'as_pattern':
        pythonPattern(childByField(n, 'alias'), bound);
        break;
      case 'global_statement':
      case 'nonlocal_statement':
        for (const c of namedChildren(n)) excluded.add(c.text);
        break;
    }
    return undefined;
  });
  return { bound, excluded };
}

function jsPattern(node: SyntaxNode | undefined, out: string[]): void {
  if (!node) return;
  switch (node.type) {
    case 'identifier':
    case 'shorthand_property_identifier_pattern':
      out.push(node.text);
      return;
    case 'object_pattern':
    case 'array_pattern':
    case 'rest_pattern':
      for (const c of namedChildren(node)) jsPattern(c, out);
      return;
    case 'pair_pattern':
      jsPattern(childByField(node, 'value'), out);
      return;
    case 'assignment_pattern':
    case 'object_assignment_pattern':
      jsPattern(childByField(node, 'left'), out);
      return;
    case 'required_parameter':
    case 'optional_parameter':
      jsPattern(childByField(node, 'pattern'), out);
      return;
  }
}

function jsBindings(fn: SyntaxNode): { bound: string[]; excluded: Set<string> } {
  const bound: string[] = [];
  walk(fn, (n) => {
    switch (n.type) {
      case 'formal_parameters':
        for (const c of namedChildren(n)) jsPattern(c, bound);
        break;
      case 'arrow_function':
        jsPattern(childByField(n, 'parameter'), bound);
        break;
      case 'variable_declarator':
        jsPattern(childByField(n, 'name'), bound);
        break;
      case 'for_in_statement':
        if (childByField(n, 'kind')) jsPattern(childByField(n, 'left'), bound);
        break;
      case 'catch_clause':
        jsPattern(childByField(n, 'parameter'), bound);
        break;
      case 'function_declaration':
      case 'generator_function_declaration':
      case 'class_declaration':
        if (n !== fn) jsPattern(childByField(n, 'name'), bound);
        break;
    }
    return undefined;
  });
  return { bound, excluded: new Set() };
}

/** The identifier a C declarator declares (`*p`, `a[3]`, `x = 1`), or undefined for a prototype. */
function cDeclared(d: SyntaxNode | undefined): SyntaxNode | undefined {
  if (!d) return undefined;
  if (d.type === 'identifier') return d;
  if (d.type === 'function_declarator') {
    const inner = childByField(d, 'declarator');
    return inner?.type === 'parenthesized_declarator' ? cDeclared(inner) : undefined;
  }
  if (d.type === 'parenthesized_declarator') return cDeclared(namedChildren(d)[0]);
  return cDeclared(childByField(d, 'declarator'));
}

function cBindings(fn: SyntaxNode): { bound: string[]; excluded: Set<string> } {
  const bound: string[] = [];
  walk(fn, (n) => {
    if (n.type === 'parameter_declaration' || n.type === 'declaration') {
      for (const d of childrenByField(n, 'declarator')) {
        const id = cDeclared(d);
        if (id) bound.push(id.text);
      }
    }
    return undefined;
  });
  return { bound, excluded: new Set() };
}

/** True when an identifier leaf is a variable reference (not an attribute or keyword-argument name). */
function isReference(node: SyntaxNode, profile: LanguageProfile): boolean {
  if (profile.id === 'python') {
    const p = node.parent;
    if (p?.type === 'attribute' && node.field === 'attribute') return false;
    if (p?.type === 'keyword_argument' && node.field === 'name') return false;
  }
  return true;
}

function outermostFunctions(root: SyntaxNode, profile: LanguageProfile): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  walk(root, (n) => {
    if (profile.functions.has(n.type)) {
      out.push(n);
      return false;
    }
    return undefined;
  });
  return out;
}

/**
 * The `names`-level renaming: inside every outermost function, each local name (parameters and
 * names bound in the body, nested functions included; Python `global`/`nonlocal` names excluded) is
 * renamed `v0, v1, ...` in order of first use. Module-level names, function names, attributes and
 * members keep their text. Placeholders never collide with a kept name (the prefix grows if needed).
 * Returns the identifier nodes to rename and their new names.
 */
export function localRenames(root: SyntaxNode, profile: LanguageProfile): Map<SyntaxNode, string> {
  const collect = profile.id === 'python' ? pythonBindings : profile.id === 'c' ? cBindings : jsBindings;
  const plans: { nodes: SyntaxNode[]; names: Set<string> }[] = [];
  const renamedText = new Set<string>();
  for (const fn of outermostFunctions(root, profile)) {
    const { bound, excluded } = collect(fn);
    const names = new Set(bound.filter((b) => !excluded.has(b)));
    if (names.size === 0) continue;
    const nodes: SyntaxNode[] = [];
    const fnName = childByField(fn, 'name');
    walk(fn, (n) => {
      if (n === fnName) return false;
      if (
        n.children.length === 0 &&
        profile.identifiers.has(n.type) &&
        names.has(n.text) &&
        isReference(n, profile)
      ) {
        nodes.push(n);
        renamedText.add(n.text);
      }
      return undefined;
    });
    plans.push({ nodes, names });
  }
  const out = new Map<SyntaxNode, string>();
  if (plans.length === 0) return out;
  const renamedNodes = new Set(plans.flatMap((p) => p.nodes));
  const kept = new Set<string>();
  walk(root, (n) => {
    if (n.children.length === 0 && n.named && !renamedNodes.has(n)) kept.add(n.text);
    return undefined;
  });
  let prefix = 'v';
  while ([...kept].some((k) => k.startsWith(prefix) && /^\d+$/.test(k.slice(prefix.length)))) prefix += '_';
  for (const plan of plans) {
    const assigned = new Map<string, string>();
    for (const n of plan.nodes) {
      let name = assigned.get(n.text);
      if (!name) {
        name = `${prefix}${assigned.size}`;
        assigned.set(n.text, name);
      }
      out.set(n, name);
    }
  }
  return out;
}
