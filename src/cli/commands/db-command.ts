import { resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { openConfiguredDb } from '../../core/app.js';
import { SkillgateError } from '../../core/errors.js';
import { backupDb, restoreDb } from '../../db/backup.js';
import type { Db } from '../../db/db.js';
import { loadMigrations, migrate } from '../../db/migrate.js';
import type { CliContext } from '../cli-context.js';

async function withDb<T>(ctx: CliContext, fn: (db: Db) => Promise<T>): Promise<T> {
  const config = ctx.config;
  const db = await openConfiguredDb(config);
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

function printCounts(ctx: CliContext, tables: { table: string; rows: number }[]): void {
  const nonEmpty = tables.filter((t) => t.rows > 0);
  if (nonEmpty.length) ctx.table(nonEmpty);
}

async function confirm(ctx: CliContext, question: string): Promise<boolean> {
  const rl = createInterface({ input: ctx.stdin, output: ctx.stderr });
  try {
    const answer = await rl.question(`${question} [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

/** `skillgate db migrate|backup|restore` on the configured database (embedded or Postgres). */
export function registerDbCommand(program: Command, ctx: CliContext): void {
  const db = program.command('db').description('Database: migrations, backup and restore');

  db.command('migrate')
    .description('Apply pending migrations (idempotent)')
    .action(async () => {
      await withDb(ctx, async (d) => {
        const r = await migrate(d, loadMigrations());
        if (ctx.json)
          return ctx.printJson({
            applied: r.applied.map((m) => `${m.version}_${m.name}`),
            current: r.current,
          });
        for (const m of r.applied) ctx.out(`applied ${String(m.version).padStart(3, '0')}_${m.name}`);
        ctx.out(
          `${d.description}: schema at version ${r.current}${r.applied.length ? '' : ' (already up to date)'}`,
        );
      });
    });

  db.command('backup')
    .description('Write every Skillgate table to FILE (works on both backends)')
    .argument('<file>', 'backup file to write')
    .action(async (file: string) => {
      const path = resolve(ctx.cwd, file);
      await withDb(ctx, async (d) => {
        await migrate(d, loadMigrations());
        const r = await backupDb(d, path);
        if (ctx.json) return ctx.printJson(r);
        ctx.out(
          `backup written to ${r.file}: ${r.rows} rows in ${r.tables.length} tables, schema version ${r.schemaVersion}`,
        );
        printCounts(ctx, r.tables);
      });
    });

  db.command('restore')
    .description('Replace the database contents with a backup FILE (asks first on a terminal)')
    .argument('<file>', 'backup file to read')
    .option('--yes', 'do not ask for confirmation')
    .action(async (file: string, opts: { yes?: boolean }) => {
      const path = resolve(ctx.cwd, file);
      const tty = (ctx.stdin as { isTTY?: boolean }).isTTY === true;
      await withDb(ctx, async (d) => {
        if (tty && !opts.yes && !(await confirm(ctx, `Replace all data in ${d.description} with ${path}?`))) {
          throw new SkillgateError('request.invalid', 'Restore cancelled; nothing was changed.');
        }
        await migrate(d, loadMigrations());
        const r = await restoreDb(d, path);
        if (ctx.json) return ctx.printJson(r);
        ctx.out(
          `restored ${r.rows} rows in ${r.tables.length} tables into ${d.description} (backup of ${r.createdAt}, ${r.source})`,
        );
        printCounts(ctx, r.tables);
      });
    });
}
