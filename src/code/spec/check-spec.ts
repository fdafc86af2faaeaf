import { parse as parseYaml } from 'yaml';
import { SkillgateError } from '../../core/errors.js';
import { canonicalJson, sha256Hex } from '../../core/hash.js';
import { type Expr, parseExpression } from './expression-parser.js';
import {
  type FunctionSpec,
  FunctionSpecSchema,
  type ScalarType,
  type Statement,
  type ValueType,
} from './function-spec.js';
import { typeOfExpr } from './type-expr.js';

export type TStmt =
  | { kind: 'let'; name: string; type: ValueType; value: Expr }
  | { kind: 'set'; name: string; type: ValueType; value: Expr }
  | { kind: 'if'; cond: Expr; then: TStmt[]; else: TStmt[] }
  | { kind: 'for'; var: string; from: Expr; to: Expr; step: number; body: TStmt[] }
  | { kind: 'while'; cond: Expr; max: number; counter: string; body: TStmt[] }
  | { kind: 'return'; value: Expr };

export type TestValue = bigint | number | boolean | string | TestValue[];

/** A spec that passed every check, with typed statements and normalised test vectors. */
export interface CheckedSpec {
  spec: FunctionSpec;
  /** SHA-256 of the canonical JSON of the validated spec. */
  hash: string;
  name: string;
  params: { name: string; type: ValueType; assigned: boolean }[];
  returns: ScalarType;
  body: TStmt[];
  /** Every local (lets, loop variables, while counters) with its type, in declaration order. */
  locals: { name: string; type: ValueType }[];
  tests: { args: TestValue[]; expect: TestValue }[];
  /** True when every type is int or bool (the Verilog backend's requirement). */
  integerOnly: boolean;
}

/** Words no spec name may take: keywords of every backend language, and our own prefixes. */
const RESERVED = new Set(
  `and as assert async await break case catch char class const continue def default del do double elif else enum
  export extends false final finally float for from func function global go goto if import in int interface is
  lambda let long loop match mod module mut new nil none nonlocal not null or package pass pub raise ref return
  self short signed static struct super switch this throw true try type typeof unsigned use var void while with
  yield begin end input output reg wire logic integer initial always assign function endfunction endmodule
  result main string bool len abs min max sizeof fn impl trait where crate extern unsafe move dyn box range
  select chan defer fallthrough map byte rune boolean instanceof native synchronized transient volatile
  undefined number bigint symbol any unknown never declare readonly keyof infer namespace print exec`.split(
    /\s+/,
  ),
);

function specError(path: string, message: string): never {
  throw new SkillgateError('code.spec_invalid', `spec ${path}: ${message}`, { path });
}

function checkName(name: string, path: string): void {
  if (RESERVED.has(name) || name.startsWith('sg_'))
    specError(path, `"${name}" is reserved in some backend language`);
}

interface Scope {
  vars: Map<string, { type: ValueType; loopVar: boolean; param: boolean }>;
}

/**
 * Parses (YAML text or an object) and checks a function spec: names, scoping (block scoped, no
 * shadowing), types (no implicit int/float mixing), loops (for with constant positive step; while
 * with max_iterations), a final top-level `return` and no statement after a `return`, and test
 * vectors against the signature. Throws `code.spec_invalid` naming the path.
 */
export function checkSpec(input: unknown): CheckedSpec {
  let raw = input;
  if (typeof input === 'string') {
    try {
      // Integers as BigInt keep `0.0` (a float) apart from `0` (an int) in expressions.
      raw = fromYaml(parseYaml(input, { intAsBigInt: true }), false);
    } catch (err) {
      specError('(text)', `not valid YAML/JSON: ${(err as Error).message}`);
    }
  }
  const parsed = FunctionSpecSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    specError(issue.path.join('.') || '(root)', issue.message);
  }
  const spec = parsed.data;
  checkName(spec.name, 'name');
  const declared = new Set<string>([spec.name]);
  const params = spec.params.map((p, i) => {
    checkName(p.name, `params.${i}.name`);
    if (declared.has(p.name)) specError(`params.${i}.name`, `"${p.name}" is declared twice`);
    declared.add(p.name);
    return { ...p, assigned: false };
  });
  const locals: { name: string; type: ValueType }[] = [];
  let counters = 0;
  const root: Scope = {
    vars: new Map(params.map((p) => [p.name, { type: p.type, loopVar: false, param: true }])),
  };

  const expr = (text: string, scopes: Scope[], path: string): Expr => {
    const e = parseExpression(text);
    typeOfExpr(
      e,
      (name) => {
        for (let i = scopes.length - 1; i >= 0; i--) {
          const v = scopes[i].vars.get(name);
          if (v) return v.type;
        }
        return specError(path, `"${name}" is not declared here`);
      },
      (m) => specError(path, m),
    );
    return e;
  };
  const declare = (name: string, type: ValueType, scopes: Scope[], path: string, loopVar = false) => {
    checkName(name, path);
    if (declared.has(name)) specError(path, `"${name}" is already declared (names are unique in a spec)`);
    declared.add(name);
    scopes[scopes.length - 1].vars.set(name, { type, loopVar, param: false });
    locals.push({ name, type });
  };
  const block = (stmts: Statement[], outer: Scope[], path: string): TStmt[] => {
    const scopes = [...outer, { vars: new Map() }];
    const out: TStmt[] = [];
    stmts.forEach((s, i) => {
      const at = `${path}.${i}`;
      if (out.length > 0 && out[out.length - 1].kind === 'return')
        specError(at, 'statement after return is unreachable');
      if ('let' in s) {
        const value = expr(s.value, scopes, `${at}.value`);
        const type = value.type as ValueType;
        if (type.endsWith('[]')) specError(at, 'arrays can only be parameters');
        if (s.type && s.type !== type) specError(`${at}.type`, `declared ${s.type} but the value is ${type}`);
        declare(s.let, type, scopes, `${at}.let`);
        out.push({ kind: 'let', name: s.let, type, value });
      } else if ('set' in s) {
        const v = scopes
          .map((sc) => sc.vars.get(s.set))
          .filter(Boolean)
          .pop();
        if (!v) specError(`${at}.set`, `"${s.set}" is not declared here`);
        if (v.loopVar) specError(`${at}.set`, `"${s.set}" is a loop variable and cannot be assigned`);
        if (v.type.endsWith('[]')) specError(`${at}.set`, 'arrays are read-only');
        const value = expr(s.value, scopes, `${at}.value`);
        if (value.type !== v.type)
          specError(`${at}.value`, `"${s.set}" is ${v.type} but the value is ${value.type}`);
        if (v.param) params.find((p) => p.name === s.set)!.assigned = true;
        out.push({ kind: 'set', name: s.set, type: v.type, value });
      } else if ('if' in s) {
        const cond = expr(s.if, scopes, `${at}.if`);
        if (cond.type !== 'bool') specError(`${at}.if`, `condition is ${cond.type}, not bool`);
        out.push({
          kind: 'if',
          cond,
          // biome-ignore lint/suspicious/noThenProperty: `then` is the spec language's if-branch
          then: block(s.then, scopes, `${at}.then`),
          else: s.else ? block(s.else, scopes, `${at}.else`) : [],
        });
      } else if ('for' in s) {
        const from = expr(s.from, scopes, `${at}.from`);
        const to = expr(s.to, scopes, `${at}.to`);
        if (from.type !== 'int' || to.type !== 'int') specError(at, 'for bounds must be int');
        const inner: Scope[] = [...scopes, { vars: new Map() }];
        declare(s.for, 'int', inner, `${at}.for`, true);
        out.push({
          kind: 'for',
          var: s.for,
          from,
          to,
          step: s.step ?? 1,
          body: block(s.do, inner, `${at}.do`),
        });
      } else if ('while' in s) {
        const cond = expr(s.while, scopes, `${at}.while`);
        if (cond.type !== 'bool') specError(`${at}.while`, `condition is ${cond.type}, not bool`);
        const counter = `sg_iter${counters++}`;
        locals.push({ name: counter, type: 'int' });
        out.push({
          kind: 'while',
          cond,
          max: s.max_iterations,
          counter,
          body: block(s.do, scopes, `${at}.do`),
        });
      } else {
        const value = expr(s.return, scopes, `${at}.return`);
        if (value.type !== spec.returns)
          specError(`${at}.return`, `returns ${value.type}, the function returns ${spec.returns}`);
        out.push({ kind: 'return', value });
      }
    });
    return out;
  };
  const body = block(spec.body, [root], 'body');
  if (body[body.length - 1].kind !== 'return')
    specError(`body.${body.length - 1}`, 'the last statement must be a return');
  const tests = spec.tests.map((t, i) => normalizeTest(spec, t.args, t.expect, `tests.${i}`));
  const types = [...spec.params.map((p) => p.type), spec.returns, ...locals.map((l) => l.type)];
  return {
    spec,
    hash: sha256Hex(canonicalJson(spec)),
    name: spec.name,
    params,
    returns: spec.returns,
    body,
    locals,
    tests,
    integerOnly: types.every((t) => t === 'int' || t === 'bool'),
  };
}

const EXPR_KEYS = new Set(['value', 'if', 'while', 'from', 'to', 'return']);

/** YAML scalars in statements become expression text (`0.0` stays a float); elsewhere BigInts become numbers. */
function fromYaml(v: unknown, inBody: boolean, key = ''): unknown {
  if (typeof v === 'bigint') {
    if (inBody && EXPR_KEYS.has(key)) return String(v);
    return Number.isSafeInteger(Number(v)) ? Number(v) : String(v);
  }
  if (typeof v === 'number' && inBody && EXPR_KEYS.has(key)) return floatText(v);
  if (Array.isArray(v)) return v.map((x) => fromYaml(x, inBody, key));
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fromYaml(x, inBody || k === 'body', k)]));
  }
  return v;
}

function floatText(v: number): string {
  const t = String(v);
  return /[.eE]|Infinity|NaN/.test(t) ? t : `${t}.0`;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function normalizeValue(value: unknown, type: ValueType, path: string): TestValue {
  if (type.endsWith('[]')) {
    if (!Array.isArray(value)) specError(path, `expected an array (${type})`);
    return value.map((v, i) => normalizeValue(v, type.slice(0, -2) as ValueType, `${path}.${i}`));
  }
  switch (type) {
    case 'int': {
      const ok =
        (typeof value === 'number' && Number.isSafeInteger(value)) ||
        (typeof value === 'string' && /^-?[0-9]+$/.test(value));
      if (!ok) specError(path, 'expected an integer (a number, or a decimal string for 64-bit values)');
      const b = BigInt(value as number | string);
      if (b < INT64_MIN || b > INT64_MAX) specError(path, 'integer out of the 64-bit range');
      return b;
    }
    case 'float':
      if (typeof value !== 'number' || !Number.isFinite(value)) specError(path, 'expected a finite number');
      return value;
    case 'bool':
      if (typeof value !== 'boolean') specError(path, 'expected true or false');
      return value;
    default:
      if (typeof value !== 'string' || !/^[\x20-\x7e]*$/.test(value))
        specError(path, 'expected a string of printable ASCII');
      return value;
  }
}

function normalizeTest(spec: FunctionSpec, args: unknown, expect: unknown, path: string) {
  let list: unknown[];
  if (Array.isArray(args)) list = args;
  else {
    const rec = args as Record<string, unknown>;
    for (const k of Object.keys(rec))
      if (!spec.params.some((p) => p.name === k)) specError(`${path}.args.${k}`, 'no such parameter');
    list = spec.params.map((p) => rec[p.name]);
  }
  if (list.length !== spec.params.length)
    specError(`${path}.args`, `expected ${spec.params.length} argument(s), got ${list.length}`);
  return {
    args: list.map((v, i) => normalizeValue(v, spec.params[i].type, `${path}.args.${i}`)),
    expect: normalizeValue(expect, spec.returns, `${path}.expect`),
  };
}
