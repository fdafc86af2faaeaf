import type { CheckedSpec, TestValue } from '../check-spec.js';
import {
  type EmittedSource,
  type ExprSyntax,
  headerText,
  printExpr,
  printStatements,
  type StmtSyntax,
} from './emitter-support.js';

const decl = (type: string) => (type === 'bool' ? '' : 'signed [63:0] ');
const lit = (v: bigint) => (v < 0n ? `(-64'sd${-v})` : `64'sd${v}`);

const expr: ExprSyntax = {
  int: lit,
  float: () => {
    throw new Error('Verilog specs are integer-only');
  },
  bool: (v) => (v ? "1'b1" : "1'b0"),
  string: () => {
    throw new Error('Verilog specs are integer-only');
  },
  index: () => {
    throw new Error('Verilog specs have no arrays');
  },
  call: (fn, [a, b]) => {
    switch (fn) {
      case 'abs':
        return `(${a} < ${lit(0n)} ? -${a} : ${a})`;
      case 'min':
        return `(${a} < ${b} ? ${a} : ${b})`;
      case 'max':
        return `(${a} > ${b} ? ${a} : ${b})`;
      default:
        throw new Error(`${fn}() is not available in Verilog specs`);
    }
  },
  not: '!',
  and: '&&',
  or: '||',
};

const stmt: StmtSyntax = {
  indent: '  ',
  expr: (e) => printExpr(e, expr),
  let: (n, _t, v) => [`${n} = ${v};`],
  set: (n, v) => `${n} = ${v};`,
  ret: (v) => `return ${v};`,
  ifOpen: (c) => `if (${c}) begin`,
  elseOpen: 'end else begin',
  close: 'end',
  forLoop: (v, from, to, step) => ({
    before: [],
    open: `for (${v} = ${from}; ${v} < ${to}; ${v} = ${v} + ${lit(BigInt(step))}) begin`,
    last: [],
  }),
  whileLoop: (c, max, cond) => ({
    before: [],
    open: `for (${c} = ${lit(0n)}; ${c} < ${lit(BigInt(max))} && ${cond}; ${c} = ${c} + ${lit(1n)}) begin`,
    last: [],
  }),
};

function literal(v: TestValue, type: string): string {
  return type === 'bool' ? (v ? "1'b1" : "1'b0") : lit(v as bigint);
}

/**
 * Verilog (IEEE 1800-2012 subset, Icarus): an integer-only spec becomes a combinational module
 * `<name>` with one input port per parameter and an output `result`, computed by an automatic
 * function (ints are `signed [63:0]`, bools one bit); locals are declared at the function's top.
 */
export function emitVerilog(c: CheckedSpec): EmittedSource {
  const ports = c.params.map((p) => `input ${decl(p.type)}${p.name}`);
  const fn = [
    `// ${headerText(c.name, c.hash)}`,
    `module ${c.name}(${[...ports, `output ${decl(c.returns)}result`].join(', ')});`,
    `  function automatic ${decl(c.returns)}${c.name}_f(${ports.join(', ')});`,
    ...c.locals.map((l) => `    reg ${decl(l.type)}${l.name};`),
    '    begin',
    ...printStatements(c.body, stmt, 3),
    '    end',
    '  endfunction',
    '',
    `  assign result = ${c.name}_f(${c.params.map((p) => p.name).join(', ')});`,
    'endmodule',
    '',
  ].join('\n');
  const tb = [
    'module sg_testbench;',
    ...c.params.map((p) => `  reg ${decl(p.type)}${p.name};`),
    `  wire ${decl(c.returns)}result;`,
    `  ${c.name} dut(${[...c.params.map((p) => `.${p.name}(${p.name})`), '.result(result)'].join(', ')});`,
    '  initial begin',
  ];
  c.tests.forEach((t, i) => {
    const sets = t.args.map((a, j) => `${c.params[j].name} = ${literal(a, c.params[j].type)};`).join(' ');
    tb.push(`    ${sets}${sets ? ' ' : ''}#1;`);
    if (c.returns === 'bool')
      tb.push(`    if (result) $display("R ${i} true"); else $display("R ${i} false");`);
    else tb.push(`    $display("R ${i} %0d", result);`);
  });
  tb.push('    $finish;', '  end', 'endmodule', '');
  return { fileName: 'main.v', functionSource: fn, source: `${fn}\n${tb.join('\n')}` };
}
