import type { Config } from '../../core/config/config-schema.js';
import { SkillgateError } from '../../core/errors.js';
import type { QueryResult } from '../../db/db.js';
import type { Handler, HandlerContext } from '../handler.js';
import type { Skill } from '../skill.js';
import type { HandlerSpec } from '../skill-spec.js';
import { abortError } from './handler-utils.js';
import type { SqlConnectorPools } from './sql-connectors.js';
import { isWriteStatement, type TranslatedSql, translateNamedParams } from './sql-params.js';

export type SqlHandlerSpec = Extract<HandlerSpec, { type: 'sql' }>;

export interface SqlHandlerOptions {
  connectors: SqlConnectorPools;
  /** When given, a `connector` missing from `config.connectors` is rejected at load time. */
  config?: Config;
}

/** Parameters bound from the run context, whatever the input says. */
const CONTEXT_PARAMS = ['tenant', 'principal'];
const DEFAULT_KEYS = { many: 'rows', one: 'row', count: 'count' } as const;

interface Statement extends TranslatedSql {
  key: string;
  returns: 'many' | 'one' | 'count';
}

class Rollback {
  constructor(readonly results: QueryResult[]) {}
}

/**
 * `handler: {type: sql, connector?, statements: [{sql, as?, returns}]}`.
 *
 * - Input values reach the database only as parameters: `:name` becomes `$n` (see
 *   `translateNamedParams`; `::type` casts keep working). `:tenant` and `:principal` are always
 *   bound from the run context (tenant, principal id), never from the input. Any other `:name`
 *   must be a property of the skill's input schema (else `skill.invalid` at load time); a missing
 *   optional field binds NULL; objects are bound as JSON text, arrays as Postgres arrays.
 * - All statements run in ONE transaction, on `ctx.db` with `search_path` `demo, public`, or on
 *   the configured postgres connector (pool opened lazily, see `SqlConnectorPools`).
 * - Output: an object with one key per statement: `as`, or by default `rows` (returns `many`:
 *   the rows), `row` (`one`: the first row or null), `count` (`count`: rows affected). Statements
 *   sharing a key: the last one wins. E.g. one select -> `{rows: [...]}`.
 * - Errors: `handler.sql_failed` with the Postgres message (values of parameters scrubbed) and
 *   `details.statement` (1-based), `details.sqlstate`.
 * - `preview` (skills whose effects are not `read`): runs the statements in a transaction that is
 *   ROLLED BACK and returns `{would_affect, rows}`: the number of rows the writing statements
 *   affect and the rows they return. Write/delete sql skills should therefore use `RETURNING *`
 *   so that approvers see the rows. Read skills have no preview (the engine runs them for real).
 */
export function createSqlHandler(skill: Skill, spec: SqlHandlerSpec, options: SqlHandlerOptions): Handler {
  const declared = new Set(Object.keys(skill.spec.input.properties ?? {}));
  const statements: Statement[] = spec.statements.map((s) => ({
    ...translateNamedParams(s.sql),
    key: s.as ?? DEFAULT_KEYS[s.returns],
    returns: s.returns,
  }));
  const unknown = [
    ...new Set(
      statements.flatMap((s) => s.names).filter((n) => !CONTEXT_PARAMS.includes(n) && !declared.has(n)),
    ),
  ];
  if (unknown.length > 0) {
    throw new SkillgateError(
      'skill.invalid',
      `Skill ${skill.id}: SQL parameters ${unknown.map((n) => `:${n}`).join(', ')} are not input fields (declare them under input.properties).`,
      { skill: skill.id },
    );
  }
  if (spec.connector && options.config && !options.config.connectors[spec.connector]) {
    throw new SkillgateError(
      'skill.invalid',
      `Skill ${skill.id}: no connector "${spec.connector}" is configured.`,
      {
        skill: skill.id,
        connector: spec.connector,
      },
    );
  }

  const execute = async (ctx: HandlerContext, rollback: boolean): Promise<QueryResult[]> => {
    if (ctx.signal.aborted) throw abortError(ctx.signal, skill.id);
    const db = spec.connector ? await options.connectors.get(spec.connector, ctx.config, ctx.secret) : ctx.db;
    const params = statements.map((s) => s.names.map((name) => bindValue(name, ctx)));
    let current = -1;
    try {
      return await db.tx(async (q) => {
        if (!spec.connector) await q.query(`SELECT set_config('search_path', 'demo, public', true)`);
        if (db.kind === 'postgres') {
          await q.query(`SELECT set_config('statement_timeout', $1, true)`, [String(skill.spec.timeout_ms)]);
        }
        const results: QueryResult[] = [];
        for (const [i, s] of statements.entries()) {
          if (ctx.signal.aborted) throw abortError(ctx.signal, skill.id);
          current = i;
          results.push(await q.query(s.text, params[i]));
        }
        if (rollback) throw new Rollback(results);
        return results;
      });
    } catch (err) {
      if (err instanceof Rollback) return err.results;
      if (err instanceof SkillgateError) throw err;
      throw sqlFailed(skill, err, current, params.flat());
    }
  };

  const handler: Handler = {
    async run(ctx) {
      const results = await execute(ctx, false);
      const output: Record<string, unknown> = {};
      statements.forEach((s, i) => {
        const r = results[i];
        output[s.key] =
          s.returns === 'many' ? r.rows : s.returns === 'one' ? (r.rows[0] ?? null) : r.rowCount;
      });
      return { output };
    },
  };
  if (skill.spec.effects !== 'read') {
    handler.preview = async (ctx) => {
      const results = await execute(ctx, true);
      let wouldAffect = 0;
      const rows: unknown[] = [];
      statements.forEach((s, i) => {
        if (!isWriteStatement(s)) return;
        wouldAffect += results[i].rowCount;
        rows.push(...results[i].rows);
      });
      return { would_affect: wouldAffect, rows };
    };
  }
  return handler;
}

function bindValue(name: string, ctx: HandlerContext): unknown {
  if (name === 'tenant') return ctx.tenant;
  if (name === 'principal') return ctx.principal.id;
  const v = ctx.input[name];
  if (v === undefined) return null;
  if (v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date))
    return JSON.stringify(v);
  return v;
}

/** No `cause` is attached: driver errors carry `detail` texts with row values. */
function sqlFailed(skill: Skill, err: unknown, index: number, values: unknown[]): SkillgateError {
  let message = err instanceof Error ? err.message : String(err);
  for (const v of values) {
    if (v === null || typeof v === 'object') continue;
    const text = String(v);
    if (text.length >= 3) message = message.split(text).join('…');
  }
  const sqlstate = (err as { code?: unknown }).code;
  // Constraint violations are the caller's to fix (a duplicate e-mail, a missing parent row...).
  if (sqlstate === '23505' || sqlstate === '23503') {
    const constraint = (err as { constraint?: unknown }).constraint;
    return new SkillgateError(
      'resource.conflict',
      sqlstate === '23505'
        ? `Skill ${skill.id}: a record with the same unique values already exists${typeof constraint === 'string' ? ` (${constraint})` : ''}.`
        : `Skill ${skill.id}: the record refers to one that does not exist${typeof constraint === 'string' ? ` (${constraint})` : ''}.`,
      { skill: skill.id, statement: index + 1, sqlstate },
    );
  }
  return new SkillgateError(
    'handler.sql_failed',
    `Skill ${skill.id}: statement ${index + 1} failed: ${message}`,
    { skill: skill.id, statement: index + 1, ...(typeof sqlstate === 'string' ? { sqlstate } : {}) },
  );
}
