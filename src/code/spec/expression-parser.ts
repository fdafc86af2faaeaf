import { SkillgateError } from '../../core/errors.js';

export type BinaryOp = '+' | '-' | '*' | '/' | '%' | '==' | '!=' | '<' | '<=' | '>' | '>=' | '&&' | '||';
export const BUILTINS = ['len', 'abs', 'min', 'max', 'float', 'int'] as const;
export type Builtin = (typeof BUILTINS)[number];

/** Expression AST of the spec language (see skills/code/README.md). `type` is set by the type checker. */
export type Expr = (
  | { kind: 'int'; value: bigint }
  | { kind: 'float'; value: number }
  | { kind: 'bool'; value: boolean }
  | { kind: 'string'; value: string }
  | { kind: 'var'; name: string }
  | { kind: 'index'; array: Expr; index: Expr }
  | { kind: 'call'; fn: Builtin; args: Expr[] }
  | { kind: 'unary'; op: '-' | '!'; operand: Expr }
  | { kind: 'binary'; op: BinaryOp; left: Expr; right: Expr }
) & { type?: string };

type Token = { t: 'num' | 'str' | 'id' | 'op' | 'end'; v: string; pos: number };

const OPS = [
  '==',
  '!=',
  '<=',
  '>=',
  '&&',
  '||',
  '+',
  '-',
  '*',
  '/',
  '%',
  '<',
  '>',
  '!',
  '(',
  ')',
  '[',
  ']',
  ',',
];

function fail(text: string, pos: number, message: string): never {
  throw new SkillgateError('code.spec_invalid', `expression "${text}": ${message} at column ${pos + 1}`, {
    column: pos + 1,
  });
}

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === ' ' || c === '\t') {
      i++;
      continue;
    }
    const start = i;
    if (/[0-9]/.test(c)) {
      while (i < text.length && /[0-9.eE]/.test(text[i])) {
        if ((text[i] === 'e' || text[i] === 'E') && (text[i + 1] === '-' || text[i + 1] === '+')) i++;
        i++;
      }
      out.push({ t: 'num', v: text.slice(start, i), pos: start });
    } else if (/[A-Za-z_]/.test(c)) {
      while (i < text.length && /[A-Za-z0-9_]/.test(text[i])) i++;
      const word = text.slice(start, i);
      const op = word === 'and' ? '&&' : word === 'or' ? '||' : word === 'not' ? '!' : undefined;
      out.push(op ? { t: 'op', v: op, pos: start } : { t: 'id', v: word, pos: start });
    } else if (c === '"') {
      let s = '';
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\') {
          const e = text[i + 1];
          if (e !== '"' && e !== '\\') fail(text, i, 'only \\" and \\\\ escapes are allowed');
          s += e;
          i += 2;
        } else s += text[i++];
      }
      if (text[i] !== '"') fail(text, start, 'unterminated string');
      i++;
      out.push({ t: 'str', v: s, pos: start });
    } else {
      const op = OPS.find((o) => text.startsWith(o, i));
      if (!op) fail(text, i, `unexpected "${c}"`);
      out.push({ t: 'op', v: op, pos: i });
      i += op.length;
    }
  }
  out.push({ t: 'end', v: '', pos: text.length });
  return out;
}

const BINARY: Record<string, number> = {
  '||': 1,
  '&&': 2,
  '==': 3,
  '!=': 3,
  '<': 4,
  '<=': 4,
  '>': 4,
  '>=': 4,
  '+': 5,
  '-': 5,
  '*': 6,
  '/': 6,
  '%': 6,
};

/**
 * Parses one expression of the spec language: integer, float, `true`/`false` and `"string"`
 * literals, variables, `a[i]`, the builtins `len abs min max float int`, unary `-` and `!` (`not`),
 * and the binary operators (lowest first) `|| (or)`, `&& (and)`, `== !=`, `< <= > >=`, `+ -`,
 * `* / %`; parentheses group. Throws `code.spec_invalid` with the column.
 */
export function parseExpression(text: string): Expr {
  const tokens = tokenize(text);
  let p = 0;
  const peek = () => tokens[p];
  const expect = (v: string) => {
    if (peek().v !== v || peek().t === 'str') fail(text, peek().pos, `expected "${v}"`);
    p++;
  };
  const primary = (): Expr => {
    const tok = tokens[p++];
    if (tok.t === 'num') {
      if (/^[0-9]+$/.test(tok.v)) return { kind: 'int', value: BigInt(tok.v) };
      const f = Number(tok.v);
      if (!Number.isFinite(f) || !/^[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$/.test(tok.v))
        fail(text, tok.pos, `bad number "${tok.v}"`);
      return { kind: 'float', value: f };
    }
    if (tok.t === 'str') return { kind: 'string', value: tok.v };
    if (tok.t === 'id') {
      if (tok.v === 'true' || tok.v === 'false') return { kind: 'bool', value: tok.v === 'true' };
      if (peek().v === '(' && peek().t === 'op') {
        if (!(BUILTINS as readonly string[]).includes(tok.v))
          fail(text, tok.pos, `unknown function "${tok.v}" (builtins: ${BUILTINS.join(', ')})`);
        p++;
        const args: Expr[] = [];
        if (peek().v !== ')') {
          args.push(binary(0));
          while (peek().v === ',' && peek().t === 'op') {
            p++;
            args.push(binary(0));
          }
        }
        expect(')');
        return { kind: 'call', fn: tok.v as Builtin, args };
      }
      let e: Expr = { kind: 'var', name: tok.v };
      while (peek().v === '[' && peek().t === 'op') {
        p++;
        e = { kind: 'index', array: e, index: binary(0) };
        expect(']');
      }
      return e;
    }
    if (tok.t === 'op' && tok.v === '(') {
      const e = binary(0);
      expect(')');
      return e;
    }
    if (tok.t === 'op' && (tok.v === '-' || tok.v === '!')) {
      const operand = primary();
      if (tok.v === '-' && operand.kind === 'int') return { kind: 'int', value: -operand.value };
      if (tok.v === '-' && operand.kind === 'float') return { kind: 'float', value: -operand.value };
      return { kind: 'unary', op: tok.v, operand };
    }
    return fail(text, tok.pos, tok.t === 'end' ? 'unexpected end' : `unexpected "${tok.v}"`);
  };
  const binary = (minPrec: number): Expr => {
    let left = primary();
    for (;;) {
      const tok = peek();
      const prec = tok.t === 'op' ? BINARY[tok.v] : undefined;
      if (prec === undefined || prec <= minPrec) return left;
      p++;
      left = { kind: 'binary', op: tok.v as BinaryOp, left, right: binary(prec) };
    }
  };
  const e = binary(0);
  if (peek().t !== 'end') fail(text, peek().pos, `unexpected "${peek().v}"`);
  return e;
}
