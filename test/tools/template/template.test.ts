import { describe, expect, it } from 'vitest';
import {
  evaluateCondition,
  renderString,
  renderTemplate,
  templatePaths,
  validateCondition,
  validateTemplate,
} from '../../../src/tools/template/index.js';

const scope = {
  input: {
    name: 'Ada Lovelace',
    n: 3,
    flag: false,
    tags: ['a', 'b'],
    nested: { k: 'v' },
    zero: 0,
    blank: '',
  },
  steps: {
    find: {
      output: {
        rows: [
          { id: 1, city: 'London' },
          { id: 2, city: 'Paris' },
        ],
      },
      status: 'succeeded',
    },
  },
  secrets: { TOKEN: 's3cr3t' },
};

describe('renderTemplate', () => {
  it('keeps the type of a value when the string is exactly one placeholder', () => {
    expect(renderString('{{ input.n }}', scope)).toBe(3);
    expect(renderString('  {{input.tags}} ', scope)).toEqual(['a', 'b']);
    expect(renderString('{{ steps.find.output.rows[1] }}', scope)).toEqual({ id: 2, city: 'Paris' });
    expect(renderString('{{ input.flag }}', scope)).toBe(false);
    expect(renderString('{{ input.missing }}', scope)).toBeUndefined();
  });

  it('interpolates text in mixed strings, with JSON for objects and nothing for missing paths', () => {
    expect(renderString('Hi {{ input.name }} ({{ input.n }})', scope)).toBe('Hi Ada Lovelace (3)');
    expect(renderString('{{ input.nested }}/{{ input.tags }}', scope)).toBe('{"k":"v"}/["a","b"]');
    expect(renderString('[{{ input.missing }}]', scope)).toBe('[]');
    expect(renderString('{{ input.n }}{{ input.n }}', scope)).toBe('33');
    expect(renderString('no placeholders {{ here', scope)).toBe('no placeholders {{ here');
  });

  it('applies an encoder to interpolated values only', () => {
    expect(renderString('/u/{{ input.name }}?x=1', scope, { encode: encodeURIComponent })).toBe(
      '/u/Ada%20Lovelace?x=1',
    );
  });

  it('supports paths with dots, indexes, negative indexes and quoted keys', () => {
    expect(renderString('{{ steps.find.output.rows.0.city }}', scope)).toBe('London');
    expect(renderString("{{ steps['find'].output.rows[-1].id }}", scope)).toBe(2);
    expect(renderString('{{ input.name.length }}', scope)).toBe(12);
  });

  it('applies the json, default, length, join, lower and upper filters', () => {
    expect(renderString('{{ input.nested | json }}', scope)).toBe('{"k":"v"}');
    expect(renderString("{{ input.missing | default: 'n/a' }}", scope)).toBe('n/a');
    expect(renderString("{{ input.blank | default: 'empty' }}", scope)).toBe('empty');
    expect(renderString('{{ input.zero | default: 9 }}', scope)).toBe(0);
    expect(renderString('{{ steps.find.output.rows | length }}', scope)).toBe(2);
    expect(renderString("{{ input.tags | join: ', ' | upper }}", scope)).toBe('A, B');
    expect(renderString('{{ input.name | lower }}', scope)).toBe('ada lovelace');
  });

  it('deep-renders objects and arrays without touching the template', () => {
    const template = { a: ['{{ input.n }}', { b: 'x{{ input.n }}' }], c: 5, d: null };
    const copy = structuredClone(template);
    expect(renderTemplate(template, scope)).toEqual({ a: [3, { b: 'x3' }], c: 5, d: null });
    expect(template).toEqual(copy);
  });

  it('never reaches prototypes or runs code', () => {
    expect(renderString('{{ input.__proto__ }}', scope)).toBeUndefined();
    expect(renderString('{{ input.constructor }}', scope)).toBeUndefined();
    expect(renderString('{{ input.tags.map }}', scope)).toBeUndefined();
    expect(renderString('{{ input.name.toString }}', scope)).toBeUndefined();
    expect(validateTemplate('{{ process.exit(1) }}')).toHaveLength(1);
    expect(validateTemplate('{{ input.x; y }}')).toHaveLength(1);
    expect(() => renderString('{{ a = 1 }}', scope)).toThrow(/Invalid template expression/);
  });

  it('lists the paths a template reads', () => {
    const paths = templatePaths({
      a: '{{ steps.find.output.rows | length }} {{ secrets.TOKEN }}',
      b: ['{{ input.n }}'],
    });
    expect(paths.map((p) => [p.root, ...p.segments].join('.'))).toEqual([
      'steps.find.output.rows',
      'secrets.TOKEN',
      'input.n',
    ]);
  });
});

describe('evaluateCondition', () => {
  it('evaluates paths, negation, comparisons and boolean operators', () => {
    expect(evaluateCondition('input.name', scope)).toBe(true);
    expect(evaluateCondition('!input.flag', scope)).toBe(true);
    expect(evaluateCondition("steps.find.status == 'succeeded'", scope)).toBe(true);
    expect(evaluateCondition("input.name != 'Ada Lovelace'", scope)).toBe(false);
    expect(evaluateCondition('input.n > 2 && input.n <= 3', scope)).toBe(true);
    expect(evaluateCondition("input.n == '3'", scope)).toBe(true);
    expect(evaluateCondition('input.flag || (input.n >= 10)', scope)).toBe(false);
    expect(evaluateCondition('steps.find.output.rows | length > 1', scope)).toBe(true);
    expect(evaluateCondition('input.missing > -1', scope)).toBe(false);
  });

  it('treats empty arrays, empty strings, zero and missing values as false', () => {
    expect(evaluateCondition('{{ input.zero }}', { input: { zero: 0 } })).toBe(false);
    expect(evaluateCondition('input.list', { input: { list: [] } })).toBe(false);
    expect(evaluateCondition('input.blank', scope)).toBe(false);
    expect(evaluateCondition('input.nope.deeper', scope)).toBe(false);
    expect(evaluateCondition('{{ input.nested }}', scope)).toBe(true);
  });

  it('accepts the condition wrapped in {{ }} and validates its syntax', () => {
    expect(evaluateCondition('{{ input.n == 3 }}', scope)).toBe(true);
    expect(validateCondition('input.n >')).toHaveLength(1);
    expect(validateCondition("input.a == 'unterminated")).toHaveLength(1);
    expect(validateCondition('input.a == 1')).toEqual([]);
  });
});
