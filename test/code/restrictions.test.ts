import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CodeLanguage } from '../../src/code/parsing/languages.js';
import { checkRestrictions } from '../../src/code/restrictions/check-restrictions.js';
import { restrictionPresets } from '../../src/code/restrictions/restriction-presets.js';
import { parseRestrictionSetText } from '../../src/code/restrictions/restriction-set.js';
import {
  getRestrictionSet,
  listRestrictionSets,
  saveRestrictionSet,
} from '../../src/code/restrictions/restriction-store.js';
import { SkillgateError } from '../../src/core/errors.js';
import type { PgliteDb } from '../../src/db/pglite-db.js';
import { createTestDb } from '../helpers/test-db.js';

/** [preset, rule, language, passing sample, failing sample] */
type Case = [string, string, CodeLanguage, string, string];

const CASES: Case[] = [
  [
    'nasa-power-of-ten',
    'P10-1-no-goto',
    'c',
    'int f(int x) { return x; }',
    'int f(int x) { goto end; end: return x; }',
  ],
  [
    'nasa-power-of-ten',
    'P10-1-no-setjmp',
    'c',
    'int f(void) { return 0; }',
    'int f(void) { jmp_buf b; return setjmp(b); }',
  ],
  [
    'nasa-power-of-ten',
    'P10-1-no-recursion',
    'c',
    'int g(int n) { return n; }\nint f(int n) { return g(n); }',
    'int f(int n) { return n <= 1 ? 1 : n * f(n - 1); }',
  ],
  [
    'nasa-power-of-ten',
    'P10-1-no-recursion',
    'python',
    'def f(n):\n    return g(n)\n',
    'def f(n):\n    return g(n)\n\ndef g(n):\n    return f(n - 1)\n',
  ],
  [
    'nasa-power-of-ten',
    'P10-1-no-recursion',
    'javascript',
    'function f(n) { return n + 1; }',
    'const f = (n) => (n < 1 ? 0 : f(n - 1));',
  ],
  [
    'nasa-power-of-ten',
    'P10-1-no-recursion',
    'typescript',
    'function f(n: number): number { return n; }',
    'function f(n: number): number { return n ? f(n - 1) : 0; }',
  ],
  [
    'nasa-power-of-ten',
    'P10-2-bounded-loops',
    'c',
    'int f(void) { int s = 0; for (int i = 0; i < 10; i++) { s += i; } return s; }',
    'int f(int x) { while (x > 0) { x--; } return x; }',
  ],
  [
    'nasa-power-of-ten',
    'P10-2-bounded-loops',
    'c',
    'int f(void) { return 0; }',
    'void f(void) { for (;;) { } }',
  ],
  [
    'nasa-power-of-ten',
    'P10-2-bounded-loops',
    'python',
    'def f(xs):\n    for x in xs:\n        print(x)\n',
    'def f():\n    while True:\n        pass\n',
  ],
  [
    'nasa-power-of-ten',
    'P10-2-bounded-loops',
    'javascript',
    'function f(xs) { for (const x of xs) { g(x); } }',
    'function f() { for (;;) { g(); } }',
  ],
  [
    'nasa-power-of-ten',
    'P10-2-bounded-loops',
    'typescript',
    'function f(n: number) { for (let i = 0; i < n; i++) { g(i); } }',
    'function f(n: number) { do { n--; } while (n > 0); }',
  ],
  [
    'nasa-power-of-ten',
    'P10-3-no-dynamic-allocation',
    'c',
    'static int buf[16];\nint *f(void) { return buf; }',
    '#include <stdlib.h>\nint *f(void) { return malloc(16); }',
  ],
  [
    'nasa-power-of-ten',
    'P10-4-short-functions',
    'python',
    'def f():\n    return 1\n',
    `def f():\n${'    x = 1\n'.repeat(61)}    return x\n`,
  ],
  [
    'nasa-power-of-ten',
    'P10-4-short-functions',
    'c',
    'int f(void) { return 1; }',
    `int f(void) {\n${'  int x = 1;\n'.repeat(60)}  return 0;\n}`,
  ],
  [
    'nasa-power-of-ten',
    'P10-5-assertion-density',
    'c',
    `int f(int x) {\n  assert(x > 0);\n  assert(x < 9);\n${'  x++;\n'.repeat(8)}  return x;\n}`,
    `int f(int x) {\n${'  x++;\n'.repeat(10)}  return x;\n}`,
  ],
  [
    'nasa-power-of-ten',
    'P10-5-assertion-density',
    'python',
    `def f(x):\n    assert x > 0\n    assert x < 9\n${'    x += 1\n'.repeat(8)}    return x\n`,
    `def f(x):\n${'    x += 1\n'.repeat(10)}    return x\n`,
  ],
  [
    'nasa-power-of-ten',
    'P10-6-smallest-scope',
    'c',
    'static const int LIMIT = 3;\nint f(void) { int n = LIMIT; return n; }',
    'int counter = 0;\nint f(void) { return ++counter; }',
  ],
  [
    'nasa-power-of-ten',
    'P10-6-smallest-scope',
    'javascript',
    'const LIMIT = 3;\nfunction f() { let n = LIMIT; return n; }',
    'let counter = 0;\nfunction f() { return ++counter; }',
  ],
  [
    'nasa-power-of-ten',
    'P10-6-smallest-scope',
    'python',
    'def f():\n    n = 1\n    return n\n',
    'n = 0\ndef f():\n    global n\n    n += 1\n',
  ],
  [
    'nasa-power-of-ten',
    'P10-7-check-return-values',
    'c',
    'int g(void) { return 1; }\nint f(void) { int r = g(); (void)g(); return r; }',
    'int g(void) { return 1; }\nint f(void) { g(); return 0; }',
  ],
  [
    'nasa-power-of-ten',
    'P10-7-check-return-values-script',
    'python',
    'def g():\n    return 1\n\ndef f():\n    return g()\n',
    'def g():\n    return 1\n\ndef f():\n    g()\n',
  ],
  [
    'nasa-power-of-ten',
    'P10-7-check-return-values-script',
    'javascript',
    'function g() { return 1; }\nfunction f() { return g(); }',
    'function g() { return 1; }\nfunction f() { g(); }',
  ],
  [
    'nasa-power-of-ten',
    'P10-8-preprocessor',
    'c',
    '#define LIMIT 10\nint f(void) { return LIMIT; }',
    '#define SQ(x) ((x) * (x))\nint f(int a) { return SQ(a); }',
  ],
  [
    'nasa-power-of-ten',
    'P10-8-conditional-compilation',
    'c',
    'int f(void) { return 1; }',
    '#ifdef DEBUG\nint f(void) { return 1; }\n#endif\n',
  ],
  [
    'nasa-power-of-ten',
    'P10-9-pointers',
    'c',
    'int f(int *p) { return *p; }',
    'int f(int **p) { return **p; }',
  ],
  [
    'nasa-power-of-ten',
    'P10-9-pointers',
    'c',
    'int f(int x) { return x; }',
    'int apply(int (*fn)(int), int x) { return fn(x); }',
  ],
  [
    'embedded',
    'EMB-4-fixed-width-integers',
    'c',
    '#include <stdint.h>\nint32_t f(int32_t x) { return x; }\nint main(void) { return 0; }',
    'long f(unsigned int x) { return x; }',
  ],
  ['embedded', 'EMB-5-no-float', 'c', 'int f(int x) { return x; }', 'double f(double x) { return x / 2; }'],
  [
    'embedded',
    'EMB-6-nesting',
    'c',
    'int f(int x) { if (x) { if (x > 1) { return 1; } else if (x > 2) { return 2; } else if (x > 3) { return 3; } } return 0; }',
    'int f(int x) { if (x) { if (x) { if (x) { if (x) { if (x) { return 1; } } } } } return 0; }',
  ],
  [
    'embedded',
    'EMB-6-nesting',
    'python',
    'def f(x):\n    if x:\n        return 1\n    return 0\n',
    'def f(x):\n    if x:\n        if x:\n            if x:\n                if x:\n                    if x:\n                        return 1\n    return 0\n',
  ],
  ['pep8-strict', 'E501-line-length', 'python', 'x = 1\n', `x = "${'a'.repeat(80)}"\n`],
  [
    'pep8-strict',
    'N8-naming',
    'python',
    'class Point:\n    def move_by(self, delta_x):\n        new_x = delta_x\n        return new_x\n',
    'class point:\n    def moveBy(self, deltaX):\n        return deltaX\n',
  ],
  [
    'pep8-strict',
    'E711-E712-singleton-comparison',
    'python',
    'if x is None:\n    pass\n',
    'if x == None:\n    pass\n',
  ],
  [
    'pep8-strict',
    'E722-bare-except',
    'python',
    'try:\n    f()\nexcept ValueError:\n    pass\n',
    'try:\n    f()\nexcept:\n    pass\n',
  ],
  ['pep8-strict', 'E731-lambda-assignment', 'python', 'def f(x):\n    return x\n', 'f = lambda x: x\n'],
  ['pep8-strict', 'E70-one-statement-per-line', 'python', 'x = 1\ny = 2\n', 'x = 1; y = 2\n'],
  ['pep8-strict', 'E70-one-statement-per-line', 'python', 'if x:\n    y = 2\n', 'if x: y = 2\n'],
  ['pep8-strict', 'F403-wildcard-import', 'python', 'from os import path\n', 'from os import *\n'],
  [
    'pep8-strict',
    'B006-mutable-default',
    'python',
    'def f(xs=None):\n    return xs\n',
    'def f(xs=[]):\n    return xs\n',
  ],
];

describe('restriction checker', () => {
  const presets = restrictionPresets();

  it('ships the NASA Power of Ten, embedded and PEP 8-strict presets, all valid', () => {
    expect([...presets.keys()].sort()).toEqual(['embedded', 'nasa-power-of-ten', 'pep8-strict']);
    expect(presets.get('nasa-power-of-ten')!.rules.length).toBeGreaterThanOrEqual(12);
  });

  for (const [setId, rule, lang, good, bad] of CASES) {
    it(`${setId} ${rule} (${lang}): passes a clean sample and flags a violating one`, async () => {
      const set = presets.get(setId)!;
      const pass = await checkRestrictions(good, lang, set);
      expect(pass.violations.filter((v) => v.rule === rule)).toEqual([]);
      expect(pass.rules_checked).toContain(rule);
      const fail = await checkRestrictions(bad, lang, set);
      const hits = fail.violations.filter((v) => v.rule === rule);
      expect(hits.length).toBeGreaterThan(0);
      expect(hits[0].line).toBeGreaterThanOrEqual(1);
      expect(hits[0].column).toBeGreaterThanOrEqual(1);
      expect(hits[0].message.length).toBeGreaterThan(5);
      const r = set.rules.find((x) => x.id === rule)!;
      if (r.enforcement === 'strict') expect(fail.passed).toBe(false);
    });
  }

  it('reports the position of a violation (1-based line and column) and its severity', async () => {
    const r = await checkRestrictions(
      'int f(void) {\n  int x = 0;\n  goto end;\nend:\n  return x;\n}\n',
      'c',
      presets.get('nasa-power-of-ten')!,
    );
    expect(r.violations).toContainEqual({
      rule: 'P10-1-no-goto',
      severity: 'error',
      enforcement: 'strict',
      line: 3,
      column: 3,
      message: 'goto is not allowed',
    });
  });

  it('passes when only advisory rules are violated', async () => {
    const r = await checkRestrictions(
      '#ifdef X\nint f(void) { return 1; }\n#endif\n',
      'c',
      presets.get('nasa-power-of-ten')!,
    );
    expect(r.counts).toEqual({ strict: 0, advisory: 1 });
    expect(r.passed).toBe(true);
  });

  it('skips rules that cannot be checked in the language, saying why', async () => {
    const r = await checkRestrictions('x = 1\n', 'python', presets.get('embedded')!);
    expect(r.rules_skipped).toContainEqual({
      rule: 'EMB-4-fixed-width-integers',
      reason: 'fixed_width_integers is not checkable in python',
    });
    expect(r.rules_skipped.map((s) => s.rule)).toContain('EMB-2-no-heap');
  });

  it('rejects an invalid restriction set naming the bad path', () => {
    const bad =
      'id: mine\nversion: 1.0.0\nrules:\n  - id: r1\n    description: x\n    detector: { type: max_function_lines, max: -1 }\n';
    const err = (() => {
      try {
        parseRestrictionSetText(bad, 'mine.yaml');
      } catch (e) {
        return e;
      }
    })();
    expect(SkillgateError.is(err, 'code.restriction_set_invalid')).toBe(true);
    expect((err as SkillgateError).message).toContain('rules.0.detector.max');
  });

  describe('custom sets stored per tenant', () => {
    let db: PgliteDb;
    beforeAll(async () => {
      db = await createTestDb();
    });
    afterAll(async () => {
      await db.close();
    });

    const custom = parseRestrictionSetText(
      'id: team-c\nversion: 2.0.0\ntitle: Team C rules\nrules:\n  - id: no-printf\n    description: No printf in library code\n    detector: { type: forbidden_calls, names: [printf] }\n',
    );

    it('saves, lists and resolves a custom set for its tenant only', async () => {
      await saveRestrictionSet(db, 'default', custom, 'alice');
      const list = await listRestrictionSets(db, 'default');
      expect(list.find((s) => s.id === 'team-c')).toMatchObject({
        version: '2.0.0',
        source: 'custom',
        rules: 1,
        createdBy: 'alice',
      });
      expect(list.filter((s) => s.source === 'preset')).toHaveLength(3);
      const set = await getRestrictionSet(db, 'default', 'team-c');
      const r = await checkRestrictions('#include <stdio.h>\nvoid f(void) { printf("x"); }\n', 'c', set);
      expect(r.violations.map((v) => v.rule)).toEqual(['no-printf']);
      const other = await getRestrictionSet(db, 'other', 'team-c').catch((e) => e);
      expect(SkillgateError.is(other, 'code.restriction_set_not_found')).toBe(true);
    });

    it('refuses a custom set that takes a preset id', async () => {
      const clash = { ...custom, id: 'embedded' };
      await expect(saveRestrictionSet(db, 'default', clash)).rejects.toMatchObject({
        code: 'code.restriction_set_invalid',
      });
    });
  });
});
