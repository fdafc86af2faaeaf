/** A statement with `:name` parameters rewritten to `$1..$n`. */
export interface TranslatedSql {
  text: string;
  /** `names[i]` is bound to `$${i + 1}`; a name used twice gets one number. */
  names: string[];
  /** The first keyword of the statement, lower case (`select`, `with`, `insert`, ...). */
  verb: string;
}

const NAME = /[A-Za-z_][A-Za-z0-9_]*/y;

/**
 * Rewrites `:name` parameters to `$n` placeholders. Values are never put into the SQL text.
 * Skipped, so they keep working: `::type` casts, string literals (`'a:b'`, `E'..'`), quoted
 * identifiers (`"a:b"`), dollar-quoted strings (`$$..$$`, `$tag$..$tag$`), `--` and `/* *\/`
 * comments, and array slices with numbers (`a[1:2]`).
 */
export function translateNamedParams(sql: string): TranslatedSql {
  const names: string[] = [];
  let text = '';
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i];
    const next = sql[i + 1];
    if (c === "'" || c === '"') {
      let j = i + 1;
      while (j < n) {
        if (sql[j] === c) {
          if (sql[j + 1] === c) j += 2;
          else break;
        } else if (c === "'" && sql[j] === '\\' && /[eE]/.test(sql[i - 1] ?? '')) j += 2;
        else j++;
      }
      text += sql.slice(i, j + 1);
      i = j + 1;
    } else if (c === '-' && next === '-') {
      const end = sql.indexOf('\n', i);
      const j = end < 0 ? n : end;
      text += sql.slice(i, j);
      i = j;
    } else if (c === '/' && next === '*') {
      const end = sql.indexOf('*/', i + 2);
      const j = end < 0 ? n : end + 2;
      text += sql.slice(i, j);
      i = j;
    } else if (c === '$' && /[A-Za-z_$]/.test(next ?? '') && !/[A-Za-z0-9_]/.test(sql[i - 1] ?? '')) {
      const tag = /^\$[A-Za-z_]?[A-Za-z0-9_]*\$/.exec(sql.slice(i));
      if (!tag) {
        text += c;
        i++;
        continue;
      }
      const end = sql.indexOf(tag[0], i + tag[0].length);
      const j = end < 0 ? n : end + tag[0].length;
      text += sql.slice(i, j);
      i = j;
    } else if (c === ':' && next === ':') {
      text += '::';
      i += 2;
      NAME.lastIndex = i;
      const m = NAME.exec(sql);
      if (m) {
        text += m[0];
        i += m[0].length;
      }
    } else if (c === ':' && /[A-Za-z_]/.test(next ?? '')) {
      NAME.lastIndex = i + 1;
      const name = (NAME.exec(sql) as RegExpExecArray)[0];
      let index = names.indexOf(name);
      if (index < 0) index = names.push(name) - 1;
      text += `$${index + 1}`;
      i += 1 + name.length;
    } else {
      text += c;
      i++;
    }
  }
  const verb = /^[\s(]*([A-Za-z]+)/.exec(stripComments(sql))?.[1]?.toLowerCase() ?? '';
  return { text, names, verb };
}

function stripComments(sql: string): string {
  return sql.replace(/--[^\n]*/g, '').replace(/\/\*[\s\S]*?\*\//g, '');
}

/** True for statements that change rows (`insert`, `update`, `delete`, `merge`, or a `with` wrapping one). */
export function isWriteStatement(translated: TranslatedSql): boolean {
  if (['insert', 'update', 'delete', 'merge'].includes(translated.verb)) return true;
  if (translated.verb !== 'with') return false;
  return /\b(insert\s+into|update\s+\S+\s+set|delete\s+from|merge\s+into)\b/i.test(
    stripComments(translated.text),
  );
}
