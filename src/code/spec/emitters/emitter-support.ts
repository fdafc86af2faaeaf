import type { TestValue, TStmt } from '../check-spec.js';
import type { Builtin, Expr } from '../expression-parser.js';

/** Bumped whenever any emitter's output changes for some spec (part of cache keys and manifests). */
export const EMITTER_VERSION = '1';

/** How one language prints expressions. Binary expressions are fully parenthesised by default. */
export interface ExprSyntax {
  int(v: bigint): string;
  float(v: number): string;
  bool(v: boolean): string;
  string(v: string): string;
  index(array: string, index: string): string;
  call(fn: Builtin, args: string[], argTypes: string[]): string;
  not: string;
  and: string;
  or: string;
  /** A language-specific binary form (string equality, integer division, ...), else undefined. */
  binary?(op: string, l: string, r: string, operandType: string): string | undefined;
}

export function printExpr(e: Expr, s: ExprSyntax): string {
  switch (e.kind) {
    case 'int':
      return s.int(e.value);
    case 'float':
      return s.float(e.value);
    case 'bool':
      return s.bool(e.value);
    case 'string':
      return s.string(e.value);
    case 'var':
      return e.name;
    case 'index':
      return s.index(printExpr(e.array, s), printExpr(e.index, s));
    case 'call':
      return s.call(
        e.fn,
        e.args.map((a) => printExpr(a, s)),
        e.args.map((a) => a.type ?? ''),
      );
    case 'unary':
      return e.op === '!' ? `(${s.not}${printExpr(e.operand, s)})` : `(-${printExpr(e.operand, s)})`;
    case 'binary': {
      const l = printExpr(e.left, s);
      const r = printExpr(e.right, s);
      const special = s.binary?.(e.op, l, r, e.left.type ?? '');
      if (special !== undefined) return special;
      const op = e.op === '&&' ? s.and : e.op === '||' ? s.or : e.op;
      return `(${l} ${op} ${r})`;
    }
  }
}

/** How one language prints statements (block-structured with an indentation unit). */
export interface StmtSyntax {
  indent: string;
  expr(e: Expr): string;
  let(name: string, type: string, value: string): string[];
  set(name: string, value: string): string;
  ret(value: string): string;
  ifOpen(cond: string): string;
  elseOpen: string;
  /** Closing line of a block (omit for indentation-only languages). */
  close?: string;
  forLoop(
    v: string,
    from: string,
    to: string,
    step: number,
  ): { before: string[]; open: string; last: string[] };
  whileLoop(counter: string, max: number, cond: string): { before: string[]; open: string; last: string[] };
}

/** Prints statements at `depth`, one line per array element. */
export function printStatements(stmts: TStmt[], s: StmtSyntax, depth: number): string[] {
  const pad = s.indent.repeat(depth);
  const out: string[] = [];
  const body = (b: TStmt[], extra: string[] = []) => {
    out.push(...printStatements(b, s, depth + 1));
    out.push(...extra.map((l) => `${s.indent.repeat(depth + 1)}${l}`));
  };
  for (const st of stmts) {
    switch (st.kind) {
      case 'let':
        out.push(...s.let(st.name, st.type, s.expr(st.value)).map((l) => pad + l));
        break;
      case 'set':
        out.push(pad + s.set(st.name, s.expr(st.value)));
        break;
      case 'return':
        out.push(pad + s.ret(s.expr(st.value)));
        break;
      case 'if':
        out.push(pad + s.ifOpen(s.expr(st.cond)));
        body(st.then);
        if (st.else.length > 0) {
          out.push(pad + s.elseOpen);
          body(st.else);
        }
        if (s.close) out.push(pad + s.close);
        break;
      case 'for': {
        const f = s.forLoop(st.var, s.expr(st.from), s.expr(st.to), st.step);
        out.push(...f.before.map((l) => pad + l), pad + f.open);
        body(st.body, f.last);
        if (s.close) out.push(pad + s.close);
        break;
      }
      case 'while': {
        const w = s.whileLoop(st.counter, st.max, s.expr(st.cond));
        out.push(...w.before.map((l) => pad + l), pad + w.open);
        body(st.body, w.last);
        if (s.close) out.push(pad + s.close);
        break;
      }
    }
  }
  return out;
}

/** A float literal that reads as a float in every backend language (`2` -> `2.0`). */
export function floatLiteral(v: number): string {
  const t = String(v);
  return /[.eE]/.test(t) ? t : `${t}.0`;
}

/** Whether an expression tree (or statement list) uses a builtin or operator, to emit helpers only when needed. */
export function uses(stmts: TStmt[], pred: (e: Expr) => boolean): boolean {
  const inExpr = (e: Expr): boolean => {
    if (pred(e)) return true;
    switch (e.kind) {
      case 'index':
        return inExpr(e.array) || inExpr(e.index);
      case 'call':
        return e.args.some(inExpr);
      case 'unary':
        return inExpr(e.operand);
      case 'binary':
        return inExpr(e.left) || inExpr(e.right);
      default:
        return false;
    }
  };
  return stmts.some((s) => {
    switch (s.kind) {
      case 'let':
      case 'set':
      case 'return':
        return inExpr(s.value);
      case 'if':
        return inExpr(s.cond) || uses(s.then, pred) || uses(s.else, pred);
      case 'for':
        return inExpr(s.from) || inExpr(s.to) || uses(s.body, pred);
      case 'while':
        return inExpr(s.cond) || uses(s.body, pred);
      default:
        return false;
    }
  });
}

/** The emitted program: the function (what restriction sets gate) and the test harness, in one file. */
export interface EmittedSource {
  fileName: string;
  /** The function (and its helpers) alone. */
  functionSource: string;
  /** `functionSource` + the harness that prints `R <index> <value>` per test vector. */
  source: string;
}

/** A test argument value printed by a language (`lit`), arrays handled by the caller. */
export type ValuePrinter = (v: TestValue, type: string) => string;

export function headerText(name: string, hash: string): string {
  return `Generated by Skillgate code.compile (emitter v${EMITTER_VERSION}) from spec "${name}" sha256:${hash.slice(0, 16)}. Do not edit.`;
}
