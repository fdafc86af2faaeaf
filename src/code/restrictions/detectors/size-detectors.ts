import { childByField, type SyntaxNode, walk } from '../../parsing/syntax-node.js';
import { type CodeFacts, calleeName, callsIn } from '../code-facts.js';
import type { NamingStyle } from '../restriction-set.js';
import { ALL_LANGUAGES, at, type DetectorImpl, type Finding } from './finding.js';

export const maxFunctionLines: DetectorImpl<{ max: number }> = {
  languages: ALL_LANGUAGES,
  detect(facts, params) {
    return facts.functions
      .filter((f) => f.lines > params.max)
      .map((f) => at(f.at, `${f.name} has ${f.lines} lines (max ${params.max})`));
  },
};

export const maxParameters: DetectorImpl<{ max: number }> = {
  languages: ALL_LANGUAGES,
  detect(facts, params) {
    return facts.functions
      .filter((f) => f.params.length > params.max)
      .map((f) => at(f.at, `${f.name} takes ${f.params.length} parameters (max ${params.max})`));
  },
};

/** Source lines longer than `max` characters (reported at the first character past the limit). */
export const maxLineLength: DetectorImpl<{ max: number }> = {
  languages: ALL_LANGUAGES,
  detect(facts, params) {
    const out: Finding[] = [];
    facts.source.split('\n').forEach((line, row) => {
      const len = line.replace(/\r$/, '').length;
      if (len > params.max)
        out.push({ row, column: params.max, message: `line is ${len} characters long (max ${params.max})` });
    });
    return out;
  },
};

/** Functions (of at least `min_function_lines` lines) with fewer than `min` assertions. */
export const minAssertions: DetectorImpl<{ min: number; min_function_lines: number; functions: string[] }> = {
  languages: ALL_LANGUAGES,
  detect(facts, params) {
    const names = new Set(params.functions);
    const out: Finding[] = [];
    for (const f of facts.functions) {
      if (f.lines < params.min_function_lines || f.name === '<anonymous>') continue;
      let count = callsIn(f.node, facts.profile, false).filter((c) => names.has(calleeName(c) ?? '')).length;
      walk(f.node, (n) => {
        if (n !== f.node && facts.profile.functions.has(n.type)) return false;
        if (n.type === 'assert_statement') count++;
        return undefined;
      });
      if (count < params.min) out.push(at(f.at, `${f.name} has ${count} assertion(s) (min ${params.min})`));
    }
    return out;
  },
};

const STYLES: Record<NamingStyle, RegExp> = {
  snake_case: /^_*[a-z][a-z0-9_]*$/,
  camelCase: /^_*[a-z][A-Za-z0-9]*$/,
  PascalCase: /^_*[A-Z][A-Za-z0-9]*$/,
  UPPER_CASE: /^_*[A-Z][A-Z0-9_]*$/,
};

function styleOk(name: string, style: NamingStyle): boolean {
  // Dunder names (__init__) and single letters are accepted in every style.
  return /^__\w+__$/.test(name) || STYLES[style].test(name) || /^_?[a-zA-Z]$/.test(name);
}

function assignedNames(fnBody: SyntaxNode, facts: CodeFacts): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  walk(fnBody, (n) => {
    if (n !== fnBody && facts.profile.functions.has(n.type)) return false;
    const target =
      n.type === 'assignment' || n.type === 'for_statement'
        ? childByField(n, 'left')
        : n.type === 'variable_declarator'
          ? childByField(n, 'name')
          : undefined;
    if (target?.type === 'identifier') out.push(target);
    return undefined;
  });
  return out;
}

/** Names of functions, classes and local variables (parameters included) in a naming style. */
export const namingConvention: DetectorImpl<{
  functions?: NamingStyle;
  classes?: NamingStyle;
  variables?: NamingStyle;
}> = {
  languages: ALL_LANGUAGES,
  detect(facts, params) {
    const out: Finding[] = [];
    const check = (node: SyntaxNode, kind: string, style: NamingStyle | undefined) => {
      if (style && !styleOk(node.text, style))
        out.push(at(node, `${kind} name "${node.text}" is not ${style}`));
    };
    for (const f of facts.functions) {
      if (f.at !== f.node) check(f.at, 'function', params.functions);
      if (!params.variables) continue;
      for (const p of f.params) {
        const id =
          p.type === 'identifier'
            ? p
            : (childByField(p, 'name') ?? childByField(p, 'pattern') ?? childByField(p, 'declarator'));
        if (id?.type === 'identifier' && id.text !== 'self' && id.text !== 'cls')
          check(id, 'parameter', params.variables);
      }
      if (f.body) for (const v of assignedNames(f.body, facts)) check(v, 'variable', params.variables);
    }
    if (params.classes) {
      walk(facts.root, (n) => {
        if (n.type === 'class_definition' || n.type === 'class_declaration') {
          const name = childByField(n, 'name');
          if (name) check(name, 'class', params.classes);
        }
        return undefined;
      });
    }
    return out;
  },
};
