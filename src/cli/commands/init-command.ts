import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../../core/config/load-config.js';
import { SkillgateError } from '../../core/errors.js';
import type { CliContext } from '../cli-context.js';
import { starterConfig } from '../starter-config.js';

interface InitOptions {
  path?: string;
  force?: boolean;
  port?: number;
}

/** `skillgate init`: a commented starter config, the data directory, migrations and demo data. */
export function registerInitCommand(program: Command, ctx: CliContext): void {
  program
    .command('init')
    .description(
      'Write a starter skillgate.config.yaml, create the data directory, migrate and seed demo data',
    )
    .option('--path <dir>', 'directory for skillgate.config.yaml (default: the current directory)')
    .option('--port <n>', 'server port written into the config', (v) => Number.parseInt(v, 10))
    .option('--force', 'overwrite an existing config file')
    .action(async (opts: InitOptions) => {
      const dir = resolve(ctx.cwd, opts.path ?? '.');
      const file = join(dir, 'skillgate.config.yaml');
      if (existsSync(file) && !opts.force) {
        throw new SkillgateError('request.invalid', `${file} already exists; use --force to overwrite it.`, {
          file,
        });
      }
      mkdirSync(dir, { recursive: true });
      // An explicit --home is recorded in the file, so later commands need only --config.
      writeFileSync(
        file,
        starterConfig({
          port: opts.port,
          home: ctx.globals.home ? resolve(ctx.cwd, ctx.globals.home) : undefined,
        }),
      );
      ctx.out(`wrote ${file}`);
      // Load what was written, so that the rest of init (and the user) use exactly that file.
      ctx.globals.config = file;
      const { config } = loadConfig({ file, env: ctx.env, cwd: ctx.cwd });
      mkdirSync(config.home, { recursive: true });
      const app = await ctx.openApp();
      const customers = await app.db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM demo.customers WHERE tenant = $1',
        [config.tenant],
      );
      const invoices = await app.db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM demo.invoices WHERE tenant = $1',
        [config.tenant],
      );
      ctx.out(`data directory ${config.home}`);
      ctx.out(
        `database ${app.db.description}: migrated; demo data ${customers.rows[0].n} customers, ${invoices.rows[0].n} invoices`,
      );
      ctx.out(
        `skills loaded: ${app.registry.size}${app.registry.problems().length ? ` (${app.registry.problems().length} problems: skillgate skills validate)` : ''}`,
      );
      const prefix = `skillgate${dir === resolve(ctx.cwd) ? '' : ` --config ${file}`}`;
      const steps: [string, string][] = [
        ['skills list', 'what Skillgate can do'],
        ['skills show crm.find_customer', 'a skill: its YAML and input schema'],
        ['run invoices.list_overdue', 'a read-only skill on the demo data'],
        ['run crm.delete_customers city=Lyon', 'high risk: waits for an approver (exit 3)'],
        ['approvals approve <id> --as bob', 'bob approves; the run executes once'],
        ['serve', `http://${config.server.host}:${config.server.port}/readyz`],
      ];
      const width = Math.max(...steps.map(([c]) => c.length));
      ctx.out('\nnext steps:');
      for (const [cmd, note] of steps) ctx.out(`  ${prefix} ${cmd.padEnd(width)}  # ${note}`);
    });
}
