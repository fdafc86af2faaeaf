import { z } from 'zod';

/** Languages the parser-based tools (canonicalizer, restriction checker) understand. */
export const CodeLanguageSchema = z.enum(['python', 'javascript', 'typescript', 'c']);
export type CodeLanguage = z.infer<typeof CodeLanguageSchema>;
export const CODE_LANGUAGES = CodeLanguageSchema.options;

/**
 * What the language-independent walkers need to know about a grammar: node types by role.
 * Types are tree-sitter node type names of the grammars shipped in `@repomix/tree-sitter-wasms`.
 */
export interface LanguageProfile {
  id: CodeLanguage;
  /** File name of the grammar in the WASM package. */
  wasm: string;
  comments: ReadonlySet<string>;
  /** Emitted as their exact source text (strings, regex literals). */
  atomic: ReadonlySet<string>;
  /** Nodes whose children are statements, each on its own line, one level deeper. */
  containers: ReadonlySet<string>;
  /** Clauses that start a new line at the level of their statement (`else`, `except`, ...). */
  clauses: ReadonlySet<string>;
  /** Function-like nodes: a scope of local names, a unit for per-function rules. */
  functions: ReadonlySet<string>;
  /** Leaf types that name variables (candidates for renaming). */
  identifiers: ReadonlySet<string>;
  /** Import-like top-level statements, commutative within a run. */
  imports: ReadonlySet<string>;
  calls: ReadonlySet<string>;
  loops: ReadonlySet<string>;
  /** Node types of branching constructs (nesting depth). */
  blocks: ReadonlySet<string>;
}

const set = (...xs: string[]): ReadonlySet<string> => new Set(xs);

const JS_FUNCTIONS = set(
  'function_declaration',
  'function_expression',
  'function',
  'arrow_function',
  'method_definition',
  'generator_function_declaration',
  'generator_function',
);
const JS_LOOPS = set('for_statement', 'for_in_statement', 'while_statement', 'do_statement');
const JS_BLOCKS = set(
  'if_statement',
  'for_statement',
  'for_in_statement',
  'while_statement',
  'do_statement',
  'switch_statement',
  'try_statement',
);

const javascript: LanguageProfile = {
  id: 'javascript',
  wasm: 'tree-sitter-javascript.wasm',
  comments: set('comment', 'html_comment'),
  atomic: set('string', 'template_string', 'regex'),
  containers: set('program', 'statement_block', 'class_body', 'switch_body'),
  clauses: set('else_clause', 'catch_clause', 'finally_clause', 'switch_case', 'switch_default'),
  functions: JS_FUNCTIONS,
  identifiers: set('identifier', 'shorthand_property_identifier', 'shorthand_property_identifier_pattern'),
  imports: set('import_statement'),
  calls: set('call_expression', 'new_expression'),
  loops: JS_LOOPS,
  blocks: JS_BLOCKS,
};

export const LANGUAGE_PROFILES: Readonly<Record<CodeLanguage, LanguageProfile>> = {
  python: {
    id: 'python',
    wasm: 'tree-sitter-python.wasm',
    comments: set('comment'),
    atomic: set('string'),
    containers: set('module', 'block'),
    clauses: set('elif_clause', 'else_clause', 'except_clause', 'finally_clause', 'case_clause'),
    functions: set('function_definition', 'lambda'),
    identifiers: set('identifier'),
    imports: set('import_statement', 'import_from_statement'),
    calls: set('call'),
    loops: set('for_statement', 'while_statement'),
    blocks: set(
      'if_statement',
      'for_statement',
      'while_statement',
      'try_statement',
      'with_statement',
      'match_statement',
    ),
  },
  javascript,
  typescript: {
    ...javascript,
    id: 'typescript',
    wasm: 'tree-sitter-typescript.wasm',
    containers: set('program', 'statement_block', 'class_body', 'switch_body', 'interface_body', 'enum_body'),
  },
  c: {
    id: 'c',
    wasm: 'tree-sitter-c.wasm',
    comments: set('comment'),
    atomic: set('string_literal', 'char_literal', 'system_lib_string', 'concatenated_string', 'preproc_arg'),
    containers: set(
      'translation_unit',
      'compound_statement',
      'field_declaration_list',
      'preproc_if',
      'preproc_ifdef',
      'preproc_else',
      'preproc_elif',
    ),
    clauses: set('else_clause', 'case_statement'),
    functions: set('function_definition'),
    // `(a * (b))` is ambiguous in C (a cast?) and may come back with `type_identifier`s: a name
    // declared as a local variable is that variable wherever it appears in the function.
    identifiers: set('identifier', 'type_identifier'),
    imports: set('preproc_include'),
    calls: set('call_expression'),
    loops: set('for_statement', 'while_statement', 'do_statement'),
    blocks: set('if_statement', 'for_statement', 'while_statement', 'do_statement', 'switch_statement'),
  },
};

/** Accepts common aliases (`py`, `js`, `ts`, `h`); throws on anything else. */
export function normalizeLanguage(name: string): CodeLanguage | undefined {
  const n = name.trim().toLowerCase();
  const aliases: Record<string, CodeLanguage> = { py: 'python', js: 'javascript', ts: 'typescript', h: 'c' };
  const v = aliases[n] ?? n;
  return (CODE_LANGUAGES as readonly string[]).includes(v) ? (v as CodeLanguage) : undefined;
}
