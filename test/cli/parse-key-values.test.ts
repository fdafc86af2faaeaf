import { describe, expect, it } from 'vitest';
import { SkillgateError } from '../../src/core/errors.js';
import type { JsonSchemaNode } from '../../src/tools/json-schema-subset.js';
import { parseKeyValues } from '../../src/tools/parse-key-values.js';

const schema: JsonSchemaNode = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    zip: { type: 'string' },
    count: { type: 'integer' },
    ratio: { type: 'number' },
    dry: { type: 'boolean' },
    tags: { type: 'array', items: { type: 'string' } },
    ids: { type: 'array', items: { type: 'integer' } },
    filter: { type: 'object', properties: { city: { type: 'string' }, min: { type: 'integer' } } },
    extra: { type: 'any' },
  },
};

describe('parseKeyValues', () => {
  it('keeps strings as strings, even when they look like numbers', () => {
    expect(parseKeyValues(['name=Ada Lovelace', 'zip=01234'], schema)).toEqual({
      name: 'Ada Lovelace',
      zip: '01234',
    });
  });

  it('splits at the first = only', () => {
    expect(parseKeyValues(['name=a=b'], schema)).toEqual({ name: 'a=b' });
  });

  it('parses integers, numbers and booleans by the schema', () => {
    expect(parseKeyValues(['count=42', 'ratio=-1.5e2', 'dry=yes'], schema)).toEqual({
      count: 42,
      ratio: -150,
      dry: true,
    });
    expect(parseKeyValues(['dry=false'], schema)).toEqual({ dry: false });
    expect(parseKeyValues(['dry=off'], schema)).toEqual({ dry: false });
  });

  it('leaves values that do not fit their type as text for the validator to reject', () => {
    expect(parseKeyValues(['count=4.5', 'ratio=abc', 'dry=maybe'], schema)).toEqual({
      count: '4.5',
      ratio: 'abc',
      dry: 'maybe',
    });
  });

  it('builds arrays from comma lists, JSON and repeated keys, coercing items', () => {
    expect(parseKeyValues(['tags=a, b,c'], schema)).toEqual({ tags: ['a', 'b', 'c'] });
    expect(parseKeyValues(['ids=1,2,3'], schema)).toEqual({ ids: [1, 2, 3] });
    expect(parseKeyValues(['ids=[4,5]'], schema)).toEqual({ ids: [4, 5] });
    expect(parseKeyValues(['tags=a', 'tags=b,c'], schema)).toEqual({ tags: ['a', 'b', 'c'] });
    expect(parseKeyValues(['tags='], schema)).toEqual({ tags: [] });
  });

  it('parses objects from JSON and sets fields of object properties with dotted keys', () => {
    expect(parseKeyValues(['filter={"city":"Lyon","min":2}'], schema)).toEqual({
      filter: { city: 'Lyon', min: 2 },
    });
    expect(parseKeyValues(['filter.city=Lyon', 'filter.min=3'], schema)).toEqual({
      filter: { city: 'Lyon', min: 3 },
    });
  });

  it('parses JSON for `any` fields and keeps plain text otherwise', () => {
    expect(parseKeyValues(['extra=[1,"x"]'], schema)).toEqual({ extra: [1, 'x'] });
    expect(parseKeyValues(['extra=12'], schema)).toEqual({ extra: 12 });
    expect(parseKeyValues(['extra=hello'], schema)).toEqual({ extra: 'hello' });
  });

  it('keeps unknown keys as strings', () => {
    expect(parseKeyValues(['colour=7', 'a.b=1'], schema)).toEqual({ colour: '7', 'a.b': '1' });
  });

  it('refuses a pair without = and a scalar key given twice', () => {
    expect(() => parseKeyValues(['oops'], schema)).toThrowError(SkillgateError);
    expect(() => parseKeyValues(['=x'], schema)).toThrowError(/not a key=value pair/);
    expect(() => parseKeyValues(['count=1', 'count=2'], schema)).toThrowError(/given twice/);
  });
});
