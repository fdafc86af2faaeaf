import type { CodeLanguage } from '../../parsing/languages.js';
import { childByField, namedChildren, type SyntaxNode, walk } from '../../parsing/syntax-node.js';
import { type CodeFacts, calleeName } from '../code-facts.js';
import type { Construct } from '../restriction-set.js';
import { ALL_LANGUAGES, at, type DetectorImpl, type Finding } from './finding.js';

/** Calls to any of `names` (matched on the called name: `free`, `os.system` -> `system`). */
export const forbiddenCalls: DetectorImpl<{ names: string[] }> = {
  languages: ALL_LANGUAGES,
  detect(facts, params) {
    const names = new Set(params.names);
    const out: Finding[] = [];
    walk(facts.root, (n) => {
      if (facts.profile.calls.has(n.type)) {
        const name = calleeName(n);
        if (name && names.has(name)) out.push(at(n, `call to ${name}() is not allowed`));
      }
      return undefined;
    });
    return out;
  },
};

type ConstructCheck = {
  languages: CodeLanguage[];
  find(n: SyntaxNode, facts: CodeFacts): string | undefined;
};

const isC = ['c'] as CodeLanguage[];
const isPy = ['python'] as CodeLanguage[];
const isJs = ['javascript', 'typescript'] as CodeLanguage[];

function isConst(decl: SyntaxNode): boolean {
  return decl.children.some((c) => c.type === 'type_qualifier' && c.text === 'const');
}

const CONSTRUCTS: Record<Construct, ConstructCheck> = {
  goto: { languages: isC, find: (n) => (n.type === 'goto_statement' ? 'goto is not allowed' : undefined) },
  global_statement: {
    languages: isPy,
    find: (n) =>
      n.type === 'global_statement' || n.type === 'nonlocal_statement'
        ? `${n.children[0].text} rebinds an outer variable`
        : undefined,
  },
  var_declaration: {
    languages: isJs,
    find: (n) => (n.type === 'variable_declaration' ? 'var declaration: use let or const' : undefined),
  },
  with_statement: {
    languages: isJs,
    find: (n) => (n.type === 'with_statement' ? 'with statement is not allowed' : undefined),
  },
  wildcard_import: {
    languages: isPy,
    find: (n) => (n.type === 'wildcard_import' ? 'wildcard import (from x import *)' : undefined),
  },
  bare_except: {
    languages: isPy,
    find: (n) =>
      n.type === 'except_clause' && namedChildren(n).every((c) => c.type === 'block' || c.type === 'comment')
        ? 'bare except: name the exception class'
        : undefined,
  },
  file_scope_mutable: {
    languages: ['c', 'javascript', 'typescript'],
    find: (n) => {
      const top = n.parent?.type === 'translation_unit' || n.parent?.type === 'program';
      if (!top) return undefined;
      if (n.type === 'declaration' && !isConst(n) && !n.children.some((c) => c.text === 'extern')) {
        const decls = n.children.filter((c) => c.field === 'declarator');
        if (decls.some((d) => d.type !== 'function_declarator'))
          return 'mutable variable at file scope: declare data at the smallest scope';
      }
      if (
        (n.type === 'lexical_declaration' && n.children[0]?.text === 'let') ||
        n.type === 'variable_declaration'
      )
        return 'mutable variable at module scope: declare data at the smallest scope';
      return undefined;
    },
  },
  function_pointer: {
    languages: isC,
    find: (n) =>
      n.type === 'function_declarator' && childByField(n, 'declarator')?.type === 'parenthesized_declarator'
        ? 'function pointer is not allowed'
        : undefined,
  },
  multiple_indirection: {
    languages: isC,
    find: (n) => {
      if (
        (n.type === 'pointer_declarator' || n.type === 'abstract_pointer_declarator') &&
        n.parent?.type !== n.type
      ) {
        const inner = childByField(n, 'declarator');
        if (inner?.type === n.type || n.children.filter((c) => c.text === '*').length > 1)
          return 'more than one level of pointer indirection';
      }
      if (n.type === 'pointer_expression' && n.children[0]?.text === '*') {
        const arg = childByField(n, 'argument');
        if (arg?.type === 'pointer_expression' && arg.children[0]?.text === '*')
          return 'more than one level of dereferencing';
      }
      return undefined;
    },
  },
  function_like_macro: {
    languages: isC,
    find: (n) => (n.type === 'preproc_function_def' ? 'function-like macro: use a function' : undefined),
  },
  conditional_compilation: {
    languages: isC,
    find: (n) =>
      n.type === 'preproc_if' || n.type === 'preproc_ifdef' ? 'conditional compilation directive' : undefined,
  },
  float_type: {
    languages: isC,
    find: (n) =>
      n.type === 'primitive_type' && (n.text === 'float' || n.text === 'double')
        ? `floating-point type ${n.text}`
        : undefined,
  },
  mutable_default_argument: {
    languages: isPy,
    find: (n) => {
      if (n.type !== 'default_parameter' && n.type !== 'typed_default_parameter') return undefined;
      const v = childByField(n, 'value');
      const mutable =
        v &&
        (['list', 'dictionary', 'set', 'list_comprehension', 'dictionary_comprehension'].includes(v.type) ||
          (v.type === 'call' && ['list', 'dict', 'set'].includes(childByField(v, 'function')?.text ?? '')));
      return mutable ? 'mutable default argument: use None and create the value inside' : undefined;
    },
  },
  lambda_assignment: {
    languages: isPy,
    find: (n) =>
      n.type === 'assignment' && childByField(n, 'right')?.type === 'lambda'
        ? 'lambda assigned to a name: use def'
        : undefined,
  },
  compare_to_singleton: {
    languages: isPy,
    find: (n) => {
      if (n.type !== 'comparison_operator') return undefined;
      const ops = n.children.filter((c) => !c.named).map((c) => c.text);
      const singleton = namedChildren(n).find(
        (c) => c.type === 'none' || c.type === 'true' || c.type === 'false',
      );
      return singleton && ops.some((o) => o === '==' || o === '!=')
        ? `comparison to ${singleton.text} with ${ops.join(' ')}: use "is" / "is not" or the value itself`
        : undefined;
    },
  },
  multiple_statements_per_line: {
    languages: isPy,
    find: (n) => {
      if (n.type !== 'block' && n.type !== 'module') return undefined;
      const stmts = namedChildren(n).filter((c) => c.type !== 'comment');
      for (let i = 1; i < stmts.length; i++)
        if (stmts[i].row === stmts[i - 1].endRow) return 'several statements on one line';
      const header = n.parent;
      if (n.type === 'block' && stmts[0] && header && stmts[0].row === header.row && header.type !== 'module')
        return 'statement on the same line as its compound-statement header';
      return undefined;
    },
  },
};

/** Constructs forbidden by name (see `ConstructSchema`); each construct applies to the languages it exists in. */
export const forbiddenConstructs: DetectorImpl<{ constructs: Construct[] }> = {
  languages: ALL_LANGUAGES,
  detect(facts, params) {
    const checks = params.constructs
      .map((c) => CONSTRUCTS[c])
      .filter((c) => c.languages.includes(facts.profile.id));
    const out: Finding[] = [];
    if (checks.length === 0) return out;
    walk(facts.root, (n) => {
      for (const c of checks) {
        const message = c.find(n, facts);
        if (message) out.push(at(n, message));
      }
      return undefined;
    });
    return out;
  },
};

/** The languages in which a construct can occur (for "not applicable" reporting). */
export function constructLanguages(construct: Construct): CodeLanguage[] {
  return CONSTRUCTS[construct].languages;
}

const PLAIN_INT = new Set(['int', 'long', 'short', 'unsigned', 'signed']);

/** C: plain `int`/`long`/`short` instead of `<stdint.h>` fixed-width types (`main`'s `int` is allowed). */
export const fixedWidthIntegers: DetectorImpl<unknown> = {
  languages: isC,
  detect(facts) {
    const out: Finding[] = [];
    walk(facts.root, (n) => {
      if (n.type === 'function_definition' && cName(n) === 'main') {
        for (const c of n.children) if (c.field !== 'type') walk(c, (m) => checkInt(m, out));
        return false;
      }
      return checkInt(n, out);
    });
    return out;
  },
};

function cName(fn: SyntaxNode): string | undefined {
  let d = childByField(fn, 'declarator');
  while (d && d.type !== 'identifier') d = childByField(d, 'declarator');
  return d?.text;
}

/** Reports a plain integer type; returns false to skip the inside of `unsigned int` and the like. */
function checkInt(n: SyntaxNode, out: Finding[]): false | undefined {
  const sized = n.type === 'sized_type_specifier';
  if (sized || (n.type === 'primitive_type' && PLAIN_INT.has(n.text))) {
    out.push(at(n, `plain integer type "${n.text}": use a fixed-width type such as int32_t`));
    return sized ? false : undefined;
  }
  return undefined;
}
