import type { LanguageProfile } from '../parsing/languages.js';
import type { SyntaxNode } from '../parsing/syntax-node.js';

export interface RenderOptions {
  profile: LanguageProfile;
  /** Identifier nodes to print under another name (`names` level). */
  renames?: ReadonlyMap<SyntaxNode, string>;
}

/** Clause-like children of containers that stay on their statement's line (`case 1:` values). */
const INLINE_FIELDS = new Set(['value', 'name', 'condition', 'pattern']);
const CASE_CONTAINERS = new Set(['switch_case', 'switch_default', 'case_statement']);

interface Line {
  depth: number;
  tokens: string[];
}

/**
 * Prints a tree as canonical text: comments dropped, one space between tokens, one statement per
 * line, two spaces of indentation per block level (so Python keeps its block structure), strings and
 * other atomic literals exactly as written. For JavaScript/TypeScript, statement-ending semicolons are
 * dropped (automatic semicolon insertion makes them layout). Deterministic: equal trees print equal
 * text, whatever the original whitespace.
 */
export function renderCanonical(root: SyntaxNode, options: RenderOptions): string {
  const { profile } = options;
  const renames = options.renames;
  const jsLike = profile.id === 'javascript' || profile.id === 'typescript';
  const lines: Line[] = [{ depth: 0, tokens: [] }];
  const newline = (depth: number) => {
    const last = lines[lines.length - 1];
    if (last.tokens.length === 0) last.depth = Math.max(0, depth);
    else lines.push({ depth: Math.max(0, depth), tokens: [] });
  };
  const token = (t: string) => lines[lines.length - 1].tokens.push(t);

  const visit = (node: SyntaxNode, depth: number): void => {
    if (profile.comments.has(node.type)) return;
    if (profile.atomic.has(node.type)) {
      const t = node.type === 'preproc_arg' ? node.text.trim() : node.text;
      if (t) token(t);
      return;
    }
    if (node.children.length === 0) {
      const text = node.text.trim();
      if (!text) return;
      const renamed = renames?.get(node);
      if (renamed !== undefined) {
        if (node.type.startsWith('shorthand_property_identifier')) token(`${text} :`);
        token(renamed);
        return;
      }
      if (jsLike && text === ';' && node.parent && node.parent.type !== 'for_statement') {
        const siblings = node.parent.children;
        if (siblings[siblings.length - 1] === node) return;
      }
      if (profile.id === 'c' && node.type === 'number_literal' && /^[+-]/.test(text)) {
        // tree-sitter-c lexes a sign glued to a number as part of the literal (`)+0` may even read
        // as a cast of `+0`): the sign is its own token, so `x=-1` and `x = - 1` print alike.
        token(text[0]);
        token(text.slice(1));
        return;
      }
      if (profile.id === 'c' && text.startsWith('#')) newline(depth);
      if (text === '}' && node.parent && profile.containers.has(node.parent.type)) newline(depth);
      token(text);
      return;
    }
    const container = profile.containers.has(node.type) || CASE_CONTAINERS.has(node.type);
    for (const child of node.children) {
      if (
        container &&
        child.named &&
        !profile.comments.has(child.type) &&
        !INLINE_FIELDS.has(child.field ?? '')
      ) {
        newline(depth + 1);
        visit(child, depth + 1);
      } else if (profile.clauses.has(child.type)) {
        newline(depth);
        visit(child, depth);
      } else {
        visit(child, depth);
      }
    }
  };
  visit(root, -1);
  return lines
    .filter((l) => l.tokens.length > 0)
    .map((l) => '  '.repeat(l.depth) + l.tokens.join(' '))
    .join('\n');
}
