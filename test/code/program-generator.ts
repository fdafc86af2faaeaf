import fc from 'fast-check';
import type { CodeLanguage } from '../../src/code/parsing/languages.js';

/** A tiny program model rendered in every language with chosen names and layout (property tests). */
export type E = { k: 'v'; i: number } | { k: 'n'; v: number } | { k: 'b'; op: '+' | '-' | '*'; l: E; r: E };
export type S = { k: 'set'; i: number; e: E } | { k: 'if'; l: E; r: E; t: S[]; f: S[] };
export interface Program {
  locals: number;
  body: S[];
  ret: E;
}

export interface Layout {
  spaces: boolean;
  comments: boolean;
  blankLines: boolean;
  indent: number;
  semicolons: boolean;
  parenReturn: boolean;
}

const LOCALS = 4;
const exprArb: fc.Arbitrary<E> = fc.letrec<{ e: E }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({ k: fc.constant('v' as const), i: fc.integer({ min: 0, max: LOCALS - 1 }) }),
    fc.record({ k: fc.constant('n' as const), v: fc.integer({ min: 0, max: 99 }) }),
    fc.record({
      k: fc.constant('b' as const),
      op: fc.constantFrom('+' as const, '-' as const, '*' as const),
      l: tie('e'),
      r: tie('e'),
    }),
  ),
})).e;

const stmtArb: fc.Arbitrary<S> = fc.letrec<{ s: S }>((tie) => ({
  s: fc.oneof(
    { depthSize: 'small', maxDepth: 2 },
    fc.record({ k: fc.constant('set' as const), i: fc.integer({ min: 2, max: LOCALS - 1 }), e: exprArb }),
    fc.record({
      k: fc.constant('if' as const),
      l: exprArb,
      r: exprArb,
      t: fc.array(tie('s'), { minLength: 1, maxLength: 2 }),
      f: fc.array(tie('s'), { minLength: 1, maxLength: 2 }),
    }),
  ),
})).s;

export const programArb: fc.Arbitrary<Program> = fc.record({
  locals: fc.constant(LOCALS),
  body: fc.array(stmtArb, { minLength: 1, maxLength: 4 }),
  ret: exprArb,
});

export const layoutArb: fc.Arbitrary<Layout> = fc.record({
  spaces: fc.boolean(),
  comments: fc.boolean(),
  blankLines: fc.boolean(),
  indent: fc.constantFrom(2, 4),
  semicolons: fc.boolean(),
  parenReturn: fc.constant(false),
});

const POOL = [
  'alpha',
  'beta',
  'gamma',
  'delta',
  'eps',
  'zeta',
  'eta',
  'theta',
  'iota',
  'kappa',
  'lam',
  'mu',
  'nu',
  'xi_1',
  'rho',
];
/** Distinct local names (index -> name). */
export const namesArb: fc.Arbitrary<string[]> = fc.shuffledSubarray(POOL, {
  minLength: LOCALS,
  maxLength: LOCALS,
});

/** Changes one integer constant (or adds one), so that the program computes something else. */
export function mutate(p: Program): Program {
  const bump = (e: E): E =>
    e.k === 'n'
      ? { ...e, v: e.v + 1 }
      : e.k === 'b'
        ? { ...e, r: bump(e.r) }
        : { k: 'b', op: '+', l: e, r: { k: 'n', v: 1 } };
  return { ...p, ret: bump(p.ret) };
}

export function render(p: Program, lang: CodeLanguage, names: string[], layout: Layout): string {
  const sp = layout.spaces ? ' ' : '';
  const py = lang === 'python';
  const semi = py ? '' : lang === 'c' || layout.semicolons ? ';' : '';
  const comment = (text: string) => (layout.comments ? (py ? `  # ${text}` : ` // ${text}`) : '');
  const ex = (e: E): string =>
    e.k === 'v' ? names[e.i] : e.k === 'n' ? String(e.v) : `(${ex(e.l)}${sp}${e.op}${sp}${ex(e.r)})`;
  const lines: string[] = [];
  const pad = (d: number) => ' '.repeat(layout.indent * d);
  const stmts = (ss: S[], d: number) => {
    for (const s of ss) {
      if (s.k === 'set') lines.push(`${pad(d)}${names[s.i]}${sp}=${sp}${ex(s.e)}${semi}${comment('assign')}`);
      else {
        const cond = `${ex(s.l)}${sp}<${sp}${ex(s.r)}`;
        lines.push(
          py
            ? `${pad(d)}if ${cond}:${comment('branch')}`
            : `${pad(d)}if${sp}(${cond})${sp}{${comment('branch')}`,
        );
        stmts(s.t, d + 1);
        lines.push(py ? `${pad(d)}else:` : `${pad(d)}}${sp}else${sp}{`);
        stmts(s.f, d + 1);
        if (!py) lines.push(`${pad(d)}}`);
      }
      if (layout.blankLines) lines.push('');
    }
  };
  const [a, b] = names;
  if (layout.comments) lines.push(py ? '# a generated function' : '/* a generated function */');
  if (py) lines.push(`def f(${a},${sp}${b}):`);
  else if (lang === 'c') lines.push(`long f(long ${a},${sp}long ${b})${sp}{`);
  else if (lang === 'typescript') lines.push(`function f(${a}: number,${sp}${b}: number): number${sp}{`);
  else lines.push(`function f(${a},${sp}${b})${sp}{`);
  for (let i = 2; i < p.locals; i++) {
    const decl = lang === 'c' ? 'long ' : lang === 'python' ? '' : lang === 'typescript' ? 'let ' : 'let ';
    const type = lang === 'typescript' ? ': number' : '';
    lines.push(`${pad(1)}${decl}${names[i]}${type}${sp}=${sp}0${semi}`);
  }
  stmts(p.body, 1);
  const r = layout.parenReturn ? `(${ex(p.ret)})` : ex(p.ret);
  lines.push(`${pad(1)}return ${r}${semi}${comment('done')}`);
  if (!py) lines.push('}');
  return `${lines.join('\n')}\n`;
}
