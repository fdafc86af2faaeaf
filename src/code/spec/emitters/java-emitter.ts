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
  int: 'long',
  float: 'double',
  bool: 'boolean',
  string: 'String',
  'int[]': 'long[]',
  'float[]': 'double[]',
  'bool[]': 'boolean[]',
};

function intLit(v: bigint): string {
  if (v === -(2n ** 63n)) return 'Long.MIN_VALUE';
  return v < 0n ? `(${v}L)` : `${v}L`;
}

const expr: ExprSyntax = {
  int: intLit,
  float: (v) => (v < 0 ? `(${floatLiteral(v)})` : floatLiteral(v)),
  bool: (v) => String(v),
  string: (v) => JSON.stringify(v),
  index: (a, i) => `${a}[(int) ${i}]`,
  call: (fn, [a, b], [t]) => {
    switch (fn) {
      case 'len':
        return t === 'string' ? `((long) ${a}.length())` : `((long) ${a}.length)`;
      case 'abs':
        return `Math.abs(${a})`;
      case 'min':
        return `Math.min(${a}, ${b})`;
      case 'max':
        return `Math.max(${a}, ${b})`;
      case 'float':
        return `((double) ${a})`;
      case 'int':
        return `((long) ${a})`;
    }
  },
  not: '!',
  and: '&&',
  or: '||',
  binary: (op, l, r, t) =>
    t === 'string' && op === '=='
      ? `${l}.equals(${r})`
      : t === 'string' && op === '!='
        ? `(!${l}.equals(${r}))`
        : undefined,
};

const stmt: StmtSyntax = {
  indent: '    ',
  expr: (e) => printExpr(e, expr),
  let: (n, t, v) => [`${TYPES[t]} ${n} = ${v};`],
  set: (n, v) => `${n} = ${v};`,
  ret: (v) => `return ${v};`,
  ifOpen: (c) => `if (${c}) {`,
  elseOpen: '} else {',
  close: '}',
  forLoop: (v, from, to, step) => ({
    before: [],
    open: `for (long ${v} = ${from}; ${v} < ${to}; ${v} += ${step}) {`,
    last: [],
  }),
  whileLoop: (c, max, cond) => ({
    before: [],
    open: `for (long ${c} = 0; ${c} < ${max} && ${cond}; ${c}++) {`,
    last: [],
  }),
};

function literal(v: TestValue, type: string): string {
  if (Array.isArray(v))
    return `new ${TYPES[type]}{${v.map((x) => literal(x, type.slice(0, -2))).join(', ')}}`;
  if (type === 'int') return intLit(v as bigint);
  if (type === 'float') return floatLiteral(v as number);
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

/** The class holding the function: the spec name in PascalCase with a `Spec` suffix. */
export function javaClassName(name: string): string {
  return `${name.replace(/(^|_)([a-z0-9])/g, (_m, _u, ch: string) => ch.toUpperCase())}Spec`;
}

/** Java 17: ints are `long`; the function is a static method of its own final class. */
export function emitJava(c: CheckedSpec): EmittedSource {
  const cls = javaClassName(c.name);
  const params = c.params.map((p) => `${TYPES[p.type]} ${p.name}`).join(', ');
  const fn = [
    `// ${headerText(c.name, c.hash)}`,
    `final class ${cls} {`,
    `    private ${cls}() {}`,
    '',
    `    static ${TYPES[c.returns]} ${c.name}(${params}) {`,
    ...printStatements(c.body, stmt, 2),
    '    }',
    '}',
    '',
  ].join('\n');
  const harness = [
    'public final class Main {',
    '    public static void main(String[] args) {',
    ...c.tests.map(
      (t, i) =>
        `        System.out.println("R ${i} " + ${cls}.${c.name}(${t.args.map((a, j) => literal(a, c.params[j].type)).join(', ')}));`,
    ),
    '    }',
    '}',
    '',
  ].join('\n');
  return { fileName: 'Main.java', functionSource: fn, source: `${fn}\n${harness}` };
}
