import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BACKEND_IDS, BACKENDS } from '../../src/code/spec/backends.js';
import { checkSpec } from '../../src/code/spec/check-spec.js';
import { parseExpression } from '../../src/code/spec/expression-parser.js';
import { SkillgateError } from '../../src/core/errors.js';

const FIXTURES = join(import.meta.dirname, 'fixtures');
const GOLDEN = join(import.meta.dirname, 'golden');
const SPECS = ['gcd', 'weighted-mean', 'is-prime'];
const load = (name: string) => readFileSync(join(FIXTURES, `${name}.spec.yaml`), 'utf8');

function specError(input: unknown): SkillgateError {
  try {
    checkSpec(input);
  } catch (err) {
    if (SkillgateError.is(err, 'code.spec_invalid')) return err;
    throw err;
  }
  throw new Error('expected code.spec_invalid');
}

const base = {
  name: 'f',
  params: [{ name: 'a', type: 'int' }],
  returns: 'int',
  tests: [{ args: [1], expect: 1 }],
};

describe('function specs and emitters', () => {
  it('parses expressions with precedence, unary minus and word operators', () => {
    expect(parseExpression('a + b * 2 < 7 and not c')).toMatchObject({
      kind: 'binary',
      op: '&&',
      left: { op: '<', left: { op: '+', right: { op: '*' } } },
      right: { kind: 'unary', op: '!' },
    });
    expect(parseExpression('-3')).toEqual({ kind: 'int', value: -3n });
  });

  it('reports type, scope and structure errors with the path', () => {
    expect(specError({ ...base, body: [{ return: 'a + 1.5' }] }).message).toMatch(
      /body\.0\.return: \+ needs two numbers of the same type/,
    );
    expect(specError({ ...base, body: [{ return: 'b' }] }).message).toMatch(/"b" is not declared/);
    expect(specError({ ...base, body: [{ set: 'a', value: 1 }] }).message).toMatch(
      /last statement must be a return/,
    );
    expect(specError({ ...base, body: [{ return: 'a' }, { return: 'a' }] }).message).toMatch(/unreachable/);
    expect(
      specError({
        ...base,
        body: [{ for: 'i', from: 0, to: 3, do: [{ set: 'i', value: 1 }] }, { return: 'a' }],
      }).message,
    ).toMatch(/loop variable/);
    expect(
      specError({ ...base, params: [{ name: 'class', type: 'int' }], body: [{ return: 1 }] }).message,
    ).toMatch(/reserved/);
    expect(
      specError({ ...base, body: [{ return: 'a' }], tests: [{ args: [1.5], expect: 1 }] }).message,
    ).toMatch(/tests\.0\.args\.0: expected an integer/);
    const str = {
      ...base,
      params: [{ name: 's', type: 'string' }],
      body: [{ return: 'len(s)' }],
      tests: [{ args: ['héllo'], expect: 5 }],
    };
    expect(specError(str).message).toMatch(/printable ASCII/);
  });

  it('keeps YAML float literals apart from integers (0.0 is a float)', () => {
    const c = checkSpec(
      'name: f\nreturns: float\nbody:\n  - return: 0.0\ntests:\n  - { args: [], expect: 0 }\n',
    );
    expect(c.body[0]).toMatchObject({ kind: 'return', value: { kind: 'float' } });
  });

  it('hashes the validated spec: key order and YAML vs JSON do not matter', () => {
    const yaml = checkSpec(load('gcd'));
    const json = checkSpec(JSON.parse(JSON.stringify(yaml.spec)));
    expect(json.hash).toBe(yaml.hash);
  });

  it('refuses non-integer specs for Verilog with a reason', () => {
    expect(BACKENDS.verilog.unsupported!(checkSpec(load('weighted-mean')))).toMatch(/integer-only/);
    expect(BACKENDS.verilog.unsupported!(checkSpec(load('is-prime')))).toBeUndefined();
  });

  for (const name of SPECS) {
    const spec = checkSpec(load(name));
    for (const id of BACKEND_IDS) {
      if (BACKENDS[id].unsupported?.(spec)) continue;
      it(`emits ${name} for ${id} byte-identically to the golden file, every time`, () => {
        const a = BACKENDS[id].emit(spec);
        const b = BACKENDS[id].emit(checkSpec(load(name)));
        expect(b.source).toBe(a.source);
        expect(a.source.startsWith(a.functionSource)).toBe(true);
        const file = join(GOLDEN, name, `${a.fileName}.golden`);
        if (process.env.UPDATE_GOLDEN || !existsSync(file)) {
          mkdirSync(join(GOLDEN, name), { recursive: true });
          writeFileSync(file, a.source);
        }
        expect(a.source).toBe(readFileSync(file, 'utf8'));
      });
    }
  }
});
