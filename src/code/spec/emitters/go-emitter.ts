import type { CheckedSpec, TestValue } from '../check-spec.js';
import {
  type EmittedSource,
  type ExprSyntax,
  floatLiteral,
  headerText,
  printExpr,
  printStatements,
  type StmtSyntax,
  uses,
} from './emitter-support.js';

const TYPES: Record<string, string> = {
  int: 'int64',
  float: 'float64',
  bool: 'bool',
  string: 'string',
  'int[]': '[]int64',
  'float[]': '[]float64',
  'bool[]': '[]bool',
};

const expr: ExprSyntax = {
  int: (v) => (v < 0n ? `(${v})` : `${v}`),
  float: (v) => (v < 0 ? `(${floatLiteral(v)})` : floatLiteral(v)),
  bool: (v) => String(v),
  string: (v) => JSON.stringify(v),
  index: (a, i) => `${a}[${i}]`,
  call: (fn, [a, b], [t]) => {
    switch (fn) {
      case 'len':
        return `int64(len(${a}))`;
      case 'abs':
        return t === 'int' ? `sgAbs(${a})` : `math.Abs(${a})`;
      case 'min':
        return t === 'int' ? `sgMin(${a}, ${b})` : `math.Min(${a}, ${b})`;
      case 'max':
        return t === 'int' ? `sgMax(${a}, ${b})` : `math.Max(${a}, ${b})`;
      case 'float':
        return `float64(${a})`;
      case 'int':
        return `int64(${a})`;
    }
  },
  not: '!',
  and: '&&',
  or: '||',
};

const stmt: StmtSyntax = {
  indent: '\t',
  expr: (e) => printExpr(e, expr),
  let: (n, t, v) => [`var ${n} ${TYPES[t]} = ${v}`, `_ = ${n}`],
  set: (n, v) => `${n} = ${v}`,
  ret: (v) => `return ${v}`,
  ifOpen: (c) => `if ${c} {`,
  elseOpen: '} else {',
  close: '}',
  forLoop: (v, from, to, step) => ({
    before: [],
    open: `for ${v} := int64(${from}); ${v} < ${to}; ${v} += ${step} {`,
    last: [],
  }),
  whileLoop: (c, max, cond) => ({
    before: [],
    open: `for ${c} := int64(0); ${c} < ${max} && ${cond}; ${c}++ {`,
    last: [],
  }),
};

const HELPERS: Record<'sgAbs' | 'sgMin' | 'sgMax', string> = {
  sgAbs: 'func sgAbs(x int64) int64 {\n\tif x < 0 {\n\t\treturn -x\n\t}\n\treturn x\n}\n',
  sgMin: 'func sgMin(a int64, b int64) int64 {\n\tif a < b {\n\t\treturn a\n\t}\n\treturn b\n}\n',
  sgMax: 'func sgMax(a int64, b int64) int64 {\n\tif a > b {\n\t\treturn a\n\t}\n\treturn b\n}\n',
};

function literal(v: TestValue, type: string): string {
  if (Array.isArray(v)) return `${TYPES[type]}{${v.map((x) => literal(x, type.slice(0, -2))).join(', ')}}`;
  if (type === 'float') return floatLiteral(v as number);
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

/** Go: ints are `int64`; `abs`/`min`/`max` on ints are small helpers (Go 1.19 has no builtins for them). */
export function emitGo(c: CheckedSpec): EmittedSource {
  const usedMath = uses(
    c.body,
    (e) => e.kind === 'call' && ['abs', 'min', 'max'].includes(e.fn) && e.args[0].type === 'float',
  );
  const helpers = (['abs', 'min', 'max'] as const)
    .filter((f) => uses(c.body, (e) => e.kind === 'call' && e.fn === f && e.args[0].type === 'int'))
    .map((f) => HELPERS[`sg${f[0].toUpperCase()}${f.slice(1)}` as keyof typeof HELPERS]);
  const params = c.params.map((p) => `${p.name} ${TYPES[p.type]}`).join(', ');
  const fn = [
    `// ${headerText(c.name, c.hash)}`,
    '',
    'package main',
    '',
    usedMath ? 'import (\n\t"fmt"\n\t"math"\n)' : 'import "fmt"',
    '',
    ...helpers,
    `func ${c.name}(${params}) ${TYPES[c.returns]} {`,
    ...printStatements(c.body, stmt, 1),
    '}',
    '',
  ].join('\n');
  const harness = [
    'func main() {',
    ...c.tests.map(
      (t, i) =>
        `\tfmt.Println("R ${i}", ${c.name}(${t.args.map((a, j) => literal(a, c.params[j].type)).join(', ')}))`,
    ),
    '}',
    '',
  ].join('\n');
  return { fileName: 'main.go', functionSource: fn, source: `${fn}\n${harness}` };
}
