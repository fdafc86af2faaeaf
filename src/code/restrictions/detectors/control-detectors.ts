import { childByField, namedChildren, type SyntaxNode, walk } from '../../parsing/syntax-node.js';
import { type CodeFacts, calleeName, callsIn, isConstantTrue } from '../code-facts.js';
import { ALL_LANGUAGES, at, type DetectorImpl, type Finding } from './finding.js';

/** Direct or mutual recursion among the functions of the file (call graph cycles). */
export const noRecursion: DetectorImpl<unknown> = {
  languages: ALL_LANGUAGES,
  detect(facts) {
    const byName = new Map(facts.functions.filter((f) => f.name !== '<anonymous>').map((f) => [f.name, f]));
    const edges = new Map<string, string[]>();
    for (const f of byName.values()) {
      const callees = callsIn(f.node, facts.profile, false)
        .map(calleeName)
        .filter((n): n is string => n !== undefined && byName.has(n));
      edges.set(f.name, [...new Set(callees)]);
    }
    const out: Finding[] = [];
    for (const f of byName.values()) {
      // Shortest path back to f (BFS), so the message names the cycle.
      const prev = new Map<string, string>();
      const queue = [...(edges.get(f.name) ?? [])];
      for (const q of queue) prev.set(q, f.name);
      let found = false;
      while (queue.length > 0 && !found) {
        const cur = queue.shift()!;
        if (cur === f.name) {
          found = true;
          break;
        }
        for (const nx of edges.get(cur) ?? []) {
          if (!prev.has(nx)) {
            prev.set(nx, cur);
            queue.push(nx);
          }
        }
      }
      if (!found) continue;
      const path = [f.name];
      for (let c = prev.get(f.name)!; c !== f.name; c = prev.get(c)!) path.unshift(c);
      path.unshift(f.name);
      out.push(
        at(
          f.at,
          path.length === 2
            ? `${f.name} calls itself (recursion)`
            : `${f.name} is recursive through ${path.join(' -> ')}`,
        ),
      );
    }
    return out;
  },
};

function unwrap(n: SyntaxNode | undefined): SyntaxNode | undefined {
  let x = n;
  while (x && (x.type === 'parenthesized_expression' || x.type === 'condition_clause')) {
    x = namedChildren(x).find((c) => c.type !== 'comment');
  }
  return x;
}

/** The counter of a bound `i < 100` (also inside `&&`/`and` conjunctions), if the condition has one. */
function boundedCounter(cond: SyntaxNode | undefined): string | undefined {
  const c = unwrap(cond);
  if (!c) return undefined;
  const op = c.children.find((x) => !x.named)?.text;
  if ((c.type === 'boolean_operator' || c.type === 'binary_expression') && (op === 'and' || op === '&&')) {
    return boundedCounter(childByField(c, 'left')) ?? boundedCounter(childByField(c, 'right'));
  }
  const parts = namedChildren(c);
  if (
    (c.type === 'comparison_operator' || c.type === 'binary_expression') &&
    (op === '<' || op === '<=') &&
    parts.length === 2
  ) {
    const [left, right] = parts;
    if (left.type === 'identifier' && /^[0-9][0-9_]*[uUlL]*$/.test(right.text)) return left.text;
  }
  return undefined;
}

/** A while loop bounded by a counter compared with a constant and incremented in its body. */
function isCountedWhile(loop: SyntaxNode): boolean {
  const counter = boundedCounter(childByField(loop, 'condition'));
  if (!counter) return false;
  let incremented = false;
  walk(childByField(loop, 'body') ?? loop, (n) => {
    const target = childByField(n, 'left') ?? childByField(n, 'argument');
    if (target?.text !== counter) return undefined;
    const op = n.children.find((x) => !x.named)?.text;
    if (op === '++' || op === '+=') incremented = true;
    return undefined;
  });
  return incremented;
}

const UNBOUNDED_ITERATORS = new Set(['count', 'cycle', 'repeat']);

/** Loops without a static bound: `while` (unless allowed), constant-true conditions, `for(;;)`, infinite iterators. */
export const boundedLoops: DetectorImpl<{ allow_while: boolean }> = {
  languages: ALL_LANGUAGES,
  detect(facts, params) {
    const out: Finding[] = [];
    walk(facts.root, (n) => {
      if (n.type === 'while_statement' || n.type === 'do_statement') {
        const cond = childByField(n, 'condition');
        if (isConstantTrue(cond))
          out.push(at(n, 'loop condition is always true: the loop has no upper bound'));
        else if (!params.allow_while && !isCountedWhile(n))
          out.push(
            at(
              n,
              `${n.type === 'do_statement' ? 'do-while' : 'while'} loop has no static upper bound; use a counted for loop`,
            ),
          );
      } else if (n.type === 'for_statement' && facts.profile.id !== 'python') {
        const cond = childByField(n, 'condition');
        const empty = !cond || cond.text.trim() === ';' || cond.text.trim() === '';
        if (empty || isConstantTrue(cond)) out.push(at(n, 'for loop without a bounding condition'));
      } else if (n.type === 'for_statement') {
        const it = childByField(n, 'right');
        const name = it && (it.type === 'call' ? calleeName(it) : undefined);
        if (name && UNBOUNDED_ITERATORS.has(name))
          out.push(at(n, `for loop over the unbounded iterator ${name}()`));
      }
      return undefined;
    });
    return out;
  },
};

/** Block nesting deeper than `max` inside a function (`else if` chains count once). */
export const maxNestingDepth: DetectorImpl<{ max: number }> = {
  languages: ALL_LANGUAGES,
  detect(facts, params) {
    const out: Finding[] = [];
    for (const f of facts.functions) {
      let deepest: { depth: number; node: SyntaxNode } = { depth: 0, node: f.node };
      const visit = (n: SyntaxNode, depth: number) => {
        let d = depth;
        if (
          facts.profile.blocks.has(n.type) &&
          !(n.type === 'if_statement' && n.parent?.type === 'else_clause')
        ) {
          d = depth + 1;
          if (d > deepest.depth) deepest = { depth: d, node: n };
        }
        for (const c of n.children) if (!facts.profile.functions.has(c.type)) visit(c, d);
      };
      if (f.body) visit(f.body, 0);
      if (deepest.depth > params.max)
        out.push(at(deepest.node, `${f.name} nests blocks ${deepest.depth} deep (max ${params.max})`));
    }
    return out;
  },
};

function returnsValue(fn: SyntaxNode, facts: CodeFacts): boolean {
  if (facts.profile.id === 'c') {
    const type = childByField(fn, 'type');
    const decl = childByField(fn, 'declarator');
    return !(type?.text === 'void' && decl?.type === 'function_declarator');
  }
  let found = false;
  walk(fn, (n) => {
    if (n !== fn && facts.profile.functions.has(n.type)) return false;
    if (n.type === 'return_statement' && namedChildren(n).some((c) => c.type !== 'comment')) found = true;
    return undefined;
  });
  if (fn.type === 'arrow_function' && childByField(fn, 'body')?.type !== 'statement_block') return true;
  return found;
}

/** A call used as a statement whose result is dropped, for functions that return a value. */
export const checkedReturnValues: DetectorImpl<{ functions: string[] }> = {
  languages: ALL_LANGUAGES,
  detect(facts, params) {
    const mustCheck = new Set(params.functions);
    for (const f of facts.functions)
      if (f.name !== '<anonymous>' && returnsValue(f.node, facts)) mustCheck.add(f.name);
    const out: Finding[] = [];
    walk(facts.root, (n) => {
      if (n.type !== 'expression_statement') return undefined;
      const inner = namedChildren(n).filter((c) => c.type !== 'comment');
      if (inner.length !== 1 || !facts.profile.calls.has(inner[0].type)) return undefined;
      const name = calleeName(inner[0]);
      if (name && mustCheck.has(name)) out.push(at(inner[0], `the value returned by ${name}() is ignored`));
      return undefined;
    });
    return out;
  },
};
