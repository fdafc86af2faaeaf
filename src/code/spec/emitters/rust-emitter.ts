import type { CheckedSpec, TestValue } from '../check-spec.js';
import {
  type EmittedSource,
  type ExprSyntax,
  floatLiteral,
  headerText,
  printExpr,
  printStatements,
  type StmtSyntax,
} from './emitter-support.js';

const TYPES: Record<string, string> = {
  int: 'i64',
  float: 'f64',
  bool: 'bool',
  string: '&str',
  'int[]': '&[i64]',
  'float[]': '&[f64]',
  'bool[]': '&[bool]',
};

function intLit(v: bigint): string {
  if (v === -(2n ** 63n)) return 'i64::MIN';
  return v < 0n ? `(${v}_i64)` : `${v}_i64`;
}

const expr: ExprSyntax = {
  int: intLit,
  float: (v) => (v < 0 ? `(${floatLiteral(v)}_f64)` : `${floatLiteral(v)}_f64`),
  bool: (v) => String(v),
  string: (v) => JSON.stringify(v),
  index: (a, i) => `${a}[${i} as usize]`,
  call: (fn, [a, b], [t]) => {
    switch (fn) {
      case 'len':
        return `(${a}.len() as i64)`;
      case 'abs':
        return `${a}.abs()`;
      case 'min':
        return t === 'int' ? `std::cmp::min(${a}, ${b})` : `${a}.min(${b})`;
      case 'max':
        return t === 'int' ? `std::cmp::max(${a}, ${b})` : `${a}.max(${b})`;
      case 'float':
        return `(${a} as f64)`;
      case 'int':
        return `(${a} as i64)`;
    }
  },
  not: '!',
  and: '&&',
  or: '||',
};

const stmt: StmtSyntax = {
  indent: '    ',
  expr: (e) => printExpr(e, expr),
  let: (n, t, v) => [`let mut ${n}: ${TYPES[t]} = ${v};`],
  set: (n, v) => `${n} = ${v};`,
  ret: (v) => `return ${v};`,
  ifOpen: (c) => `if ${c} {`,
  elseOpen: '} else {',
  close: '}',
  forLoop: (v, from, to, step) => ({
    before: [`let mut ${v}: i64 = ${from};`],
    open: `while ${v} < ${to} {`,
    last: [`${v} += ${step};`],
  }),
  whileLoop: (c, max, cond) => ({
    before: [`let mut ${c}: i64 = 0;`],
    open: `while ${c} < ${max} && ${cond} {`,
    last: [`${c} += 1;`],
  }),
};

function literal(v: TestValue, type: string): string {
  if (Array.isArray(v)) return `&[${v.map((x) => literal(x, type.slice(0, -2))).join(', ')}]`;
  if (type === 'int') return intLit(v as bigint);
  if (type === 'float') return `${floatLiteral(v as number)}_f64`;
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

/** Rust 2021: ints are `i64`; `for` loops become counted `while` loops in their own block. */
export function emitRust(c: CheckedSpec): EmittedSource {
  const params = c.params.map((p) => `${p.assigned ? 'mut ' : ''}${p.name}: ${TYPES[p.type]}`).join(', ');
  const fn = [
    `// ${headerText(c.name, c.hash)}`,
    '#![allow(unused_mut, unused_variables, unused_parens, unused_assignments, dead_code, unused_comparisons)]',
    '',
    `pub fn ${c.name}(${params}) -> ${TYPES[c.returns]} {`,
    ...printStatements(c.body, stmt, 1),
    '}',
    '',
  ].join('\n');
  const fmt = c.returns === 'float' ? '{:?}' : '{}';
  const harness = [
    'fn main() {',
    ...c.tests.map(
      (t, i) =>
        `    println!("R ${i} ${fmt}", ${c.name}(${t.args.map((a, j) => literal(a, c.params[j].type)).join(', ')}));`,
    ),
    '}',
    '',
  ].join('\n');
  return { fileName: 'main.rs', functionSource: fn, source: `${fn}\n${harness}` };
}
