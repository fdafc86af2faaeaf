/**
 * A plain, immutable-by-convention copy of a tree-sitter node. Trees are converted once after parsing
 * (the WASM tree is freed right away), so every analysis works on ordinary JS objects.
 *
 * Invariants: `children` are in source order; `text` is the exact source slice of the node;
 * `row`/`column` are 0-based (reported to users as 1-based).
 */
export interface SyntaxNode {
  type: string;
  /** False for anonymous tokens (punctuation, keywords). */
  named: boolean;
  /** The grammar field this node fills in its parent (`name`, `body`, ...), if any. */
  field: string | null;
  text: string;
  row: number;
  column: number;
  endRow: number;
  children: SyntaxNode[];
  parent: SyntaxNode | null;
}

/** The first child filling `field`, if any. */
export function childByField(node: SyntaxNode, field: string): SyntaxNode | undefined {
  return node.children.find((c) => c.field === field);
}

/** Every child filling `field`. */
export function childrenByField(node: SyntaxNode, field: string): SyntaxNode[] {
  return node.children.filter((c) => c.field === field);
}

export function namedChildren(node: SyntaxNode): SyntaxNode[] {
  return node.children.filter((c) => c.named);
}

/** Depth-first pre-order walk; return `false` from `visit` to skip a node's subtree. */
export function walk(node: SyntaxNode, visit: (n: SyntaxNode) => boolean | undefined): void {
  const stack: SyntaxNode[] = [node];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (visit(n) === false) continue;
    for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]);
  }
}

/** Every descendant (and the node itself) whose type is in `types`, in source order. */
export function descendantsOfType(node: SyntaxNode, types: ReadonlySet<string> | string): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  const match = typeof types === 'string' ? (t: string) => t === types : (t: string) => types.has(t);
  walk(node, (n) => {
    if (match(n.type)) out.push(n);
    return undefined;
  });
  return out;
}

/** The nearest ancestor whose type is in `types`. */
export function ancestorOfType(node: SyntaxNode, types: ReadonlySet<string>): SyntaxNode | undefined {
  for (let p = node.parent; p; p = p.parent) if (types.has(p.type)) return p;
  return undefined;
}
