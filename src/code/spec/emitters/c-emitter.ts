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
  int: 'int64_t',
  float: 'double',
  bool: 'bool',
  string: 'const char *',
};

function intLit(v: bigint): string {
  if (v === -(2n ** 63n)) return '(-INT64_C(9223372036854775807) - 1)';
  const abs = v < 0n ? -v : v;
  const t = abs < 2n ** 31n ? `${abs}` : `INT64_C(${abs})`;
  return v < 0n ? `(-${t})` : t;
}

const expr: ExprSyntax = {
  int: intLit,
  float: (v) => (v < 0 ? `(${floatLiteral(v)})` : floatLiteral(v)),
  bool: (v) => String(v),
  string: (v) => JSON.stringify(v),
  index: (a, i) => `${a}[${i}]`,
  call: (fn, [a, b], [t]) => {
    switch (fn) {
      case 'len':
        return t === 'string' ? `((int64_t)strlen(${a}))` : `${a}_len`;
      case 'abs':
        return t === 'int' ? `(${a} < 0 ? -${a} : ${a})` : `fabs(${a})`;
      case 'min':
        return t === 'int' ? `(${a} < ${b} ? ${a} : ${b})` : `fmin(${a}, ${b})`;
      case 'max':
        return t === 'int' ? `(${a} > ${b} ? ${a} : ${b})` : `fmax(${a}, ${b})`;
      case 'float':
        return `((double)${a})`;
      case 'int':
        return `((int64_t)${a})`;
    }
  },
  not: '!',
  and: '&&',
  or: '||',
  binary: (op, l, r, t) =>
    t === 'string' && (op === '==' || op === '!=') ? `(strcmp(${l}, ${r}) ${op} 0)` : undefined,
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
    open: `for (int64_t ${v} = ${from}; ${v} < ${to}; ${v} += ${step}) {`,
    last: [],
  }),
  whileLoop: (c, max, cond) => ({
    before: [],
    open: `for (int64_t ${c} = 0; ${c} < ${max} && ${cond}; ${c}++) {`,
    last: [],
  }),
};

function param(p: { name: string; type: string }): string {
  if (p.type.endsWith('[]')) return `const ${TYPES[p.type.slice(0, -2)]} *${p.name}, int64_t ${p.name}_len`;
  return `${TYPES[p.type]} ${p.name}`;
}

function scalar(v: TestValue, type: string): string {
  if (type === 'int') return intLit(v as bigint);
  if (type === 'float') return floatLiteral(v as number);
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

const FORMAT: Record<string, (v: string) => [string, string]> = {
  int: (v) => ['%lld', `(long long)${v}`],
  float: (v) => ['%.17g', v],
  bool: (v) => ['%s', `${v} ? "true" : "false"`],
  string: (v) => ['%s', v],
};

/** C11: ints are `int64_t`, arrays are a pointer and a `<name>_len`; no allocation, bounded loops. */
export function emitC(c: CheckedSpec): EmittedSource {
  const fn = [
    `/* ${headerText(c.name, c.hash)} */`,
    '#include <math.h>',
    '#include <stdbool.h>',
    '#include <stdint.h>',
    '#include <string.h>',
    '',
    `${TYPES[c.returns]} ${c.name}(${c.params.length ? c.params.map(param).join(', ') : 'void'}) {`,
    ...printStatements(c.body, stmt, 1),
    '}',
    '',
  ].join('\n');
  const lines = ['#include <stdio.h>', '', 'int main(void) {'];
  c.tests.forEach((t, i) => {
    const args: string[] = [];
    t.args.forEach((a, j) => {
      const type = c.params[j].type;
      if (!type.endsWith('[]')) {
        args.push(scalar(a, type));
        return;
      }
      const arr = a as TestValue[];
      const name = `sg_t${i}_${j}`;
      if (arr.length === 0) {
        args.push('NULL', '0');
        return;
      }
      lines.push(
        `    static const ${TYPES[type.slice(0, -2)]} ${name}[] = {${arr.map((x) => scalar(x, type.slice(0, -2))).join(', ')}};`,
      );
      args.push(name, String(arr.length));
    });
    const [fmt, val] = FORMAT[c.returns](`${c.name}(${args.join(', ')})`);
    lines.push(`    printf("R ${i} ${fmt}\\n", ${val});`);
  });
  lines.push('    return 0;', '}', '');
  return { fileName: 'main.c', functionSource: fn, source: `${fn}\n${lines.join('\n')}` };
}
