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
  int: 'bigint',
  float: 'number',
  bool: 'boolean',
  string: 'string',
  'int[]': 'readonly bigint[]',
  'float[]': 'readonly number[]',
  'bool[]': 'readonly boolean[]',
};

const expr: ExprSyntax = {
  int: (v) => (v < 0n ? `(${v}n)` : `${v}n`),
  float: (v) => (v < 0 ? `(${floatLiteral(v)})` : floatLiteral(v)),
  bool: (v) => String(v),
  string: (v) => JSON.stringify(v),
  index: (a, i) => `${a}[Number(${i})]`,
  call: (fn, [a, b], [t]) => {
    switch (fn) {
      case 'len':
        return `BigInt(${a}.length)`;
      case 'abs':
        return t === 'int' ? `(${a} < 0n ? -${a} : ${a})` : `Math.abs(${a})`;
      case 'min':
        return t === 'int' ? `(${a} < ${b} ? ${a} : ${b})` : `Math.min(${a}, ${b})`;
      case 'max':
        return t === 'int' ? `(${a} > ${b} ? ${a} : ${b})` : `Math.max(${a}, ${b})`;
      case 'float':
        return `Number(${a})`;
      case 'int':
        return `BigInt(Math.trunc(${a}))`;
    }
  },
  not: '!',
  and: '&&',
  or: '||',
  binary: (op, l, r) => (op === '==' ? `(${l} === ${r})` : op === '!=' ? `(${l} !== ${r})` : undefined),
};

const stmt: StmtSyntax = {
  indent: '  ',
  expr: (e) => printExpr(e, expr),
  let: (n, t, v) => [`let ${n}: ${TYPES[t]} = ${v};`],
  set: (n, v) => `${n} = ${v};`,
  ret: (v) => `return ${v};`,
  ifOpen: (c) => `if (${c}) {`,
  elseOpen: '} else {',
  close: '}',
  forLoop: (v, from, to, step) => ({
    before: [],
    open: `for (let ${v}: bigint = ${from}; ${v} < ${to}; ${v} += ${step}n) {`,
    last: [],
  }),
  whileLoop: (c, max, cond) => ({
    before: [],
    open: `for (let ${c} = 0; ${c} < ${max} && ${cond}; ${c}++) {`,
    last: [],
  }),
};

function literal(v: TestValue, type: string): string {
  if (Array.isArray(v)) return `[${v.map((x) => literal(x, type.slice(0, -2))).join(', ')}]`;
  if (type === 'int') return `${v}n`;
  if (type === 'float') return floatLiteral(v as number);
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

/** TypeScript: ints are `bigint` (exact 64-bit semantics: truncating `/`, `%` with the dividend's sign). */
export function emitTypeScript(c: CheckedSpec): EmittedSource {
  const params = c.params.map((p) => `${p.name}: ${TYPES[p.type]}`).join(', ');
  const fn = [
    `// ${headerText(c.name, c.hash)}`,
    `export function ${c.name}(${params}): ${TYPES[c.returns]} {`,
    ...printStatements(c.body, stmt, 1),
    '}',
    '',
  ].join('\n');
  const harness = [
    'declare const console: { log(...args: unknown[]): void };',
    ...c.tests.map(
      (t, i) =>
        `console.log('R ${i} ' + String(${c.name}(${t.args.map((a, j) => literal(a, c.params[j].type)).join(', ')})));`,
    ),
    '',
  ].join('\n');
  return { fileName: 'main.ts', functionSource: fn, source: `${fn}\n${harness}` };
}
