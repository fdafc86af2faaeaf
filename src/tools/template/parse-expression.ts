import { SkillgateError } from '../../core/errors.js';

/**
 * The abstract syntax of a template expression. The language is deliberately tiny and has no
 * function calls, no assignment and no access to prototypes: it can only read data.
 *
 * ```
 * or         := and ('||' and)*
 * and        := unary ('&&' unary)*
 * unary      := '!' unary | comparison
 * comparison := piped (('==' | '!=' | '<' | '<=' | '>' | '>=') piped)?
 * piped      := primary ('|' filter (':' primary (',' primary)*)?)*
 * primary    := 'string' | number | true | false | null | path | '(' or ')'
 * path       := ident ('.' ident | '.' int | '[' int ']' | '[' 'string' ']')*
 * ```
 */
export type Expr =
  | { kind: 'literal'; value: string | number | boolean | null }
  | { kind: 'path'; root: string; segments: PathSegment[] }
  | { kind: 'not'; operand: Expr }
  | { kind: 'binary'; op: BinaryOp; left: Expr; right: Expr }
  | { kind: 'filter'; name: FilterName; input: Expr; args: Expr[] };

export type PathSegment = string | number;
export type BinaryOp = '==' | '!=' | '<' | '<=' | '>' | '>=' | '&&' | '||';

/** The filters a template may apply (`{{ x | default: 'n/a' }}`). */
export const FILTER_NAMES = ['json', 'default', 'length', 'join', 'lower', 'upper'] as const;
export type FilterName = (typeof FILTER_NAMES)[number];

/** Longest expression accepted, in characters. */
export const MAX_EXPRESSION_LENGTH = 1000;

type Token =
  | { t: 'ident'; v: string; at: number }
  | { t: 'num'; v: number; at: number }
  | { t: 'str'; v: string; at: number }
  | { t: 'op'; v: string; at: number };

const OPERATORS = ['||', '&&', '==', '!=', '<=', '>=', '<', '>', '!', '|', '.', '[', ']', '(', ')', ':', ','];

function fail(text: string, message: string): never {
  throw new SkillgateError('skill.invalid', `Invalid template expression "${text}": ${message}.`);
}

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const prev = out[out.length - 1];
    const afterDot = prev?.t === 'op' && prev.v === '.';
    const num = /^-?\d+(\.\d+)?/.exec(text.slice(i));
    if (num && (c !== '-' || !prev || prev.t === 'op')) {
      // After a dot only an integer index is meant (`rows.0.name`).
      const lexeme = afterDot ? /^\d+/.exec(num[0])![0] : num[0];
      out.push({ t: 'num', v: Number(lexeme), at: i });
      i += lexeme.length;
      continue;
    }
    const ident = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i));
    if (ident) {
      out.push({ t: 'ident', v: ident[0], at: i });
      i += ident[0].length;
      continue;
    }
    if (c === "'" || c === '"') {
      let j = i + 1;
      let value = '';
      while (j < text.length && text[j] !== c) {
        if (text[j] === '\\' && j + 1 < text.length) j++;
        value += text[j];
        j++;
      }
      if (j >= text.length) fail(text, 'unterminated string');
      out.push({ t: 'str', v: value, at: i });
      i = j + 1;
      continue;
    }
    const op = OPERATORS.find((o) => text.startsWith(o, i));
    if (!op) fail(text, `unexpected character "${c}" at ${i}`);
    out.push({ t: 'op', v: op, at: i });
    i += op.length;
  }
  return out;
}

class Parser {
  private pos = 0;

  constructor(
    private readonly text: string,
    private readonly tokens: Token[],
  ) {}

  parse(): Expr {
    if (this.tokens.length === 0) fail(this.text, 'empty expression');
    const e = this.or();
    const rest = this.tokens[this.pos];
    if (rest) fail(this.text, `unexpected "${String(rest.v)}" at ${rest.at}`);
    return e;
  }

  private peekOp(...ops: string[]): string | undefined {
    const tok = this.tokens[this.pos];
    return tok?.t === 'op' && ops.includes(tok.v) ? tok.v : undefined;
  }

  private expectOp(op: string): void {
    if (!this.peekOp(op)) {
      const tok = this.tokens[this.pos];
      fail(this.text, tok ? `expected "${op}" at ${tok.at}` : `expected "${op}" at the end`);
    }
    this.pos++;
  }

  private or(): Expr {
    let left = this.and();
    while (this.peekOp('||')) {
      this.pos++;
      left = { kind: 'binary', op: '||', left, right: this.and() };
    }
    return left;
  }

  private and(): Expr {
    let left = this.unary();
    while (this.peekOp('&&')) {
      this.pos++;
      left = { kind: 'binary', op: '&&', left, right: this.unary() };
    }
    return left;
  }

  private unary(): Expr {
    if (this.peekOp('!')) {
      this.pos++;
      return { kind: 'not', operand: this.unary() };
    }
    const left = this.piped();
    const op = this.peekOp('==', '!=', '<', '<=', '>', '>=');
    if (!op) return left;
    this.pos++;
    return { kind: 'binary', op: op as BinaryOp, left, right: this.piped() };
  }

  private piped(): Expr {
    let input = this.primary();
    while (this.peekOp('|')) {
      this.pos++;
      const tok = this.tokens[this.pos++];
      if (tok?.t !== 'ident') fail(this.text, 'expected a filter name after "|"');
      if (!(FILTER_NAMES as readonly string[]).includes(tok.v)) {
        fail(this.text, `unknown filter "${tok.v}" (known: ${FILTER_NAMES.join(', ')})`);
      }
      const args: Expr[] = [];
      if (this.peekOp(':')) {
        this.pos++;
        args.push(this.primary());
        while (this.peekOp(',')) {
          this.pos++;
          args.push(this.primary());
        }
      }
      input = { kind: 'filter', name: tok.v as FilterName, input, args };
    }
    return input;
  }

  private primary(): Expr {
    const tok = this.tokens[this.pos++];
    if (!tok) fail(this.text, 'unexpected end');
    if (tok.t === 'str' || tok.t === 'num') return { kind: 'literal', value: tok.v };
    if (tok.t === 'op' && tok.v === '(') {
      const inner = this.or();
      this.expectOp(')');
      return inner;
    }
    if (tok.t !== 'ident') fail(this.text, `unexpected "${tok.v}" at ${tok.at}`);
    if (tok.v === 'true' || tok.v === 'false') return { kind: 'literal', value: tok.v === 'true' };
    if (tok.v === 'null') return { kind: 'literal', value: null };
    const segments: PathSegment[] = [];
    for (;;) {
      if (this.peekOp('.')) {
        this.pos++;
        const seg = this.tokens[this.pos++];
        if (seg?.t === 'ident') segments.push(seg.v);
        else if (seg?.t === 'num' && Number.isInteger(seg.v)) segments.push(seg.v);
        else fail(this.text, 'expected a name after "."');
      } else if (this.peekOp('[')) {
        this.pos++;
        const seg = this.tokens[this.pos++];
        if (seg?.t === 'num' && Number.isInteger(seg.v)) segments.push(seg.v);
        else if (seg?.t === 'str') segments.push(seg.v);
        else fail(this.text, 'expected an integer or a quoted key inside "[ ]"');
        this.expectOp(']');
      } else {
        return { kind: 'path', root: tok.v, segments };
      }
    }
  }
}

const cache = new Map<string, Expr>();
const CACHE_LIMIT = 2000;

/**
 * Parses an expression (the text between `{{` and `}}`, or an `if:` condition). Results are
 * cached. Throws `skill.invalid` with the reason on a syntax error or an unknown filter.
 */
export function parseExpression(text: string): Expr {
  const key = text.trim();
  const hit = cache.get(key);
  if (hit) return hit;
  if (key.length > MAX_EXPRESSION_LENGTH)
    fail(key.slice(0, 40), `longer than ${MAX_EXPRESSION_LENGTH} characters`);
  const expr = new Parser(key, tokenize(key)).parse();
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, expr);
  return expr;
}

/** Every data path an expression reads, e.g. `steps.a.output.rows` -> `{root: 'steps', segments: ['a', ...]}`. */
export function expressionPaths(expr: Expr): { root: string; segments: PathSegment[] }[] {
  switch (expr.kind) {
    case 'literal':
      return [];
    case 'path':
      return [{ root: expr.root, segments: expr.segments }];
    case 'not':
      return expressionPaths(expr.operand);
    case 'binary':
      return [...expressionPaths(expr.left), ...expressionPaths(expr.right)];
    case 'filter':
      return [...expressionPaths(expr.input), ...expr.args.flatMap(expressionPaths)];
  }
}
