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
  int: 'int',
  float: 'float',
  bool: 'bool',
  string: 'str',
  'int[]': 'list',
  'float[]': 'list',
  'bool[]': 'list',
};

const expr: ExprSyntax = {
  int: (v) => (v < 0n ? `(${v})` : `${v}`),
  float: (v) => (v < 0 ? `(${floatLiteral(v)})` : floatLiteral(v)),
  bool: (v) => (v ? 'True' : 'False'),
  string: (v) => JSON.stringify(v),
  index: (a, i) => `${a}[${i}]`,
  call: (fn, args) => `${fn}(${args.join(', ')})`,
  not: 'not ',
  and: 'and',
  or: 'or',
  binary: (op, l, r, t) =>
    t === 'int' && op === '/'
      ? `sg_div(${l}, ${r})`
      : t === 'int' && op === '%'
        ? `sg_mod(${l}, ${r})`
        : undefined,
};

const stmt: StmtSyntax = {
  indent: '    ',
  expr: (e) => printExpr(e, expr),
  let: (n, _t, v) => [`${n} = ${v}`],
  set: (n, v) => `${n} = ${v}`,
  ret: (v) => `return ${v}`,
  ifOpen: (c) => `if ${c}:`,
  elseOpen: 'else:',
  forLoop: (v, from, to, step) => ({
    before: [],
    open: `for ${v} in range(${from}, ${to}${step === 1 ? '' : `, ${step}`}):`,
    last: [],
  }),
  whileLoop: (c, max, cond) => ({
    before: [`${c} = 0`],
    open: `while ${c} < ${max} and ${cond}:`,
    last: [`${c} += 1`],
  }),
};

const HELPERS = [
  'def sg_div(a, b):',
  '    """Integer division truncating toward zero (C semantics)."""',
  '    q = abs(a) // abs(b)',
  '    return q if (a >= 0) == (b >= 0) else -q',
  '',
  '',
  'def sg_mod(a, b):',
  '    """Remainder with the sign of the dividend (C semantics)."""',
  '    return a - b * sg_div(a, b)',
  '',
  '',
];

function literal(v: TestValue, type: string): string {
  if (Array.isArray(v)) return `[${v.map((x) => literal(x, type.slice(0, -2))).join(', ')}]`;
  if (type === 'float') return floatLiteral(v as number);
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

/** Python 3: ints are unbounded (specs keep to 64-bit values); `/` and `%` on ints follow C through helpers. */
export function emitPython(c: CheckedSpec): EmittedSource {
  const intDiv = uses(
    c.body,
    (e) => e.kind === 'binary' && (e.op === '/' || e.op === '%') && e.left.type === 'int',
  );
  const params = c.params.map((p) => `${p.name}: ${TYPES[p.type]}`).join(', ');
  const fn = [
    `# ${headerText(c.name, c.hash)}`,
    '',
    '',
    ...(intDiv ? HELPERS : []),
    `def ${c.name}(${params}) -> ${TYPES[c.returns]}:`,
    ...printStatements(c.body, stmt, 1),
    '',
  ].join('\n');
  const harness = [
    '',
    'def sg_show(v):',
    '    if isinstance(v, bool):',
    "        return 'true' if v else 'false'",
    '    return repr(v) if isinstance(v, float) else str(v)',
    '',
    '',
    ...c.tests.map(
      (t, i) =>
        `print('R ${i} ' + sg_show(${c.name}(${t.args.map((a, j) => literal(a, c.params[j].type)).join(', ')})))`,
    ),
    '',
  ].join('\n');
  return { fileName: 'main.py', functionSource: fn, source: `${fn}${harness}` };
}
