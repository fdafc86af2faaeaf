import type { Expr } from './expression-parser.js';

const NUMERIC = new Set(['int', 'float']);

/**
 * Sets `type` on every node of `e` (int, float, bool, string, or an array type from a variable)
 * and returns it. `lookup` gives a variable's type; `fail` reports a type error (never returns).
 * No implicit conversions: `float(i)` and `int(x)` (truncation toward zero) are explicit.
 */
export function typeOfExpr(
  e: Expr,
  lookup: (name: string) => string,
  fail: (message: string) => never,
): string {
  const t = ((): string => {
    switch (e.kind) {
      case 'int':
      case 'float':
      case 'bool':
      case 'string':
        return e.kind;
      case 'var':
        return lookup(e.name);
      case 'index': {
        const a = typeOfExpr(e.array, lookup, fail);
        if (!a.endsWith('[]')) fail(`only arrays can be indexed (got ${a})`);
        if (typeOfExpr(e.index, lookup, fail) !== 'int') fail('an index must be int');
        return a.slice(0, -2);
      }
      case 'call': {
        const args = e.args.map((a) => typeOfExpr(a, lookup, fail));
        const arity = e.fn === 'min' || e.fn === 'max' ? 2 : 1;
        if (args.length !== arity) fail(`${e.fn}() takes ${arity} argument(s)`);
        switch (e.fn) {
          case 'len':
            if (!args[0].endsWith('[]') && args[0] !== 'string') fail('len() takes an array or a string');
            return 'int';
          case 'abs':
            if (!NUMERIC.has(args[0])) fail('abs() takes a number');
            return args[0];
          case 'min':
          case 'max':
            if (!NUMERIC.has(args[0]) || args[0] !== args[1])
              fail(`${e.fn}() takes two numbers of the same type`);
            return args[0];
          case 'float':
            if (args[0] !== 'int') fail('float() converts an int');
            return 'float';
          case 'int':
            if (args[0] !== 'float') fail('int() converts a float (truncating toward zero)');
            return 'int';
        }
        return fail(`unknown function ${e.fn}`);
      }
      case 'unary': {
        const o = typeOfExpr(e.operand, lookup, fail);
        if (e.op === '!' && o !== 'bool') fail('! needs a bool');
        if (e.op === '-' && !NUMERIC.has(o)) fail('unary - needs a number');
        return o;
      }
      case 'binary': {
        const l = typeOfExpr(e.left, lookup, fail);
        const r = typeOfExpr(e.right, lookup, fail);
        switch (e.op) {
          case '&&':
          case '||':
            if (l !== 'bool' || r !== 'bool') fail(`${e.op} needs bools`);
            return 'bool';
          case '==':
          case '!=':
            if (l !== r || l.endsWith('[]'))
              fail(`${e.op} compares two values of the same scalar type (got ${l} and ${r})`);
            return 'bool';
          case '<':
          case '<=':
          case '>':
          case '>=':
            if (!NUMERIC.has(l) || l !== r)
              fail(`${e.op} compares two numbers of the same type (got ${l} and ${r})`);
            return 'bool';
          case '%':
            if (l !== 'int' || r !== 'int') fail('% needs ints');
            return 'int';
          default:
            if (!NUMERIC.has(l) || l !== r)
              fail(
                `${e.op} needs two numbers of the same type (got ${l} and ${r}); convert with float() or int()`,
              );
            return l;
        }
      }
    }
  })();
  e.type = t;
  return t;
}
