import { describe, expect, it } from 'vitest';
import { isWriteStatement, translateNamedParams } from '../../../src/tools/handlers/sql-params.js';

describe('translateNamedParams', () => {
  it('numbers parameters in order of first use and reuses the number of a repeated name', () => {
    expect(translateNamedParams('SELECT * FROM t WHERE a = :a OR b = :b OR c = :a')).toEqual({
      text: 'SELECT * FROM t WHERE a = $1 OR b = $2 OR c = $1',
      names: ['a', 'b'],
      verb: 'select',
    });
  });

  it('leaves casts, literals, quoted identifiers, comments and dollar quotes alone', () => {
    const sql = `SELECT :x::int, 'a :y b', "col:z", E'it\\'s :w', $$ :v $$, $tag$ :u $tag$, arr[1:2] -- :t
      /* :s */ FROM t WHERE d = :d :: date`;
    const out = translateNamedParams(sql);
    expect(out.names).toEqual(['x', 'd']);
    expect(out.text).toContain('$1::int');
    expect(out.text).toContain("'a :y b'");
    expect(out.text).toContain('"col:z"');
    expect(out.text).toContain('$$ :v $$');
    expect(out.text).toContain('$tag$ :u $tag$');
    expect(out.text).toContain('-- :t');
    expect(out.text).toContain('/* :s */');
    expect(out.text).toContain('d = $2 :: date');
  });

  it('recognises statements that write rows', () => {
    const write = (sql: string) => isWriteStatement(translateNamedParams(sql));
    expect(write('  -- note\n DELETE FROM t')).toBe(true);
    expect(write('insert into t values (1)')).toBe(true);
    expect(write('WITH x AS (UPDATE t SET a = 1 RETURNING *) SELECT * FROM x')).toBe(true);
    expect(write('WITH x AS (SELECT 1) SELECT * FROM x')).toBe(false);
    expect(write("SELECT 'delete from t'")).toBe(false);
  });
});
