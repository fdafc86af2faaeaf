import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { SkillgateError } from '../core/errors.js';
import { packageRoot } from '../core/package-root.js';
import { CliContext, type CliIo, EXIT } from './cli-context.js';
import { registerApprovalsCommand } from './commands/approvals-command.js';
import { registerAskCommand } from './commands/ask-command.js';
import { registerAuditCommand } from './commands/audit-command.js';
import { registerCodeCommands } from './commands/code-commands.js';
import { registerDbCommand } from './commands/db-command.js';
import { registerEvalAgentCommand } from './commands/eval-agent-command.js';
import { registerInitCommand } from './commands/init-command.js';
import { registerJobsCommands } from './commands/jobs-commands.js';
import { registerMcpCommand } from './commands/mcp-commands.js';
import { registerReindexCommand } from './commands/reindex-command.js';
import { registerRoutingCommands } from './commands/routing-commands.js';
import { registerRunCommand } from './commands/run-command.js';
import { registerRunsCommand } from './commands/runs-command.js';
import { registerScheduleCommands } from './commands/schedule-commands.js';
import { registerSecretsCommands } from './commands/secrets-commands.js';
import { registerServeCommand } from './commands/serve-command.js';
import { registerSkillsCommand } from './commands/skills-command.js';
import { registerTokenCommands } from './commands/token-commands.js';
import { registerUsersCommand } from './commands/users-command.js';
import { registerWebhooksCommands } from './commands/webhooks-commands.js';
import { printErrorInfo } from './format/print-run-result.js';

export interface MainIo extends Partial<CliIo> {
  /** Stops `serve` like SIGTERM does (in-process callers and tests). */
  stop?: AbortSignal;
}

const EXIT_HELP = `
Exit codes:
  0  success (a run succeeded, or a dry run)
  1  failure: the run failed or was refused, or an error (printed as "error <code>: <message>")
  2  usage error (unknown command or option)
  3  the run waits for approval (skillgate approvals approve <id>)

Environment: SKILLGATE_HOME, SKILLGATE_CONFIG, DATABASE_URL, SKILLGATE_HOST, SKILLGATE_PORT,
SKILLGATE_LOG_LEVEL. Config file: --config, else ./skillgate.config.yaml, else
$SKILLGATE_HOME/skillgate.config.yaml.`;

function version(): string {
  try {
    return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string })
      .version;
  } catch {
    return '0.0.0';
  }
}

function buildProgram(ctx: CliContext, stop?: AbortSignal): Command {
  const program = new Command('skillgate')
    .description('Skills and pipelines behind policy, budget and approval gates')
    .version(version(), '-V, --version')
    .option(
      '--config <file>',
      'config file (default ./skillgate.config.yaml or $SKILLGATE_HOME/skillgate.config.yaml)',
    )
    .option('--home <dir>', 'data directory; sets SKILLGATE_HOME (default ./.skillgate)')
    .option('--json', 'print machine-readable JSON on stdout')
    .option('--as <principal>', 'act as this principal (default: config local_principal)')
    .addHelpText('after', EXIT_HELP)
    .showHelpAfterError('(add --help for usage)')
    .configureHelp({ showGlobalOptions: true })
    .exitOverride()
    .configureOutput({
      writeOut: (s) => ctx.stdout.write(s),
      writeErr: (s) => ctx.stderr.write(s),
    });
  program.hook('preAction', (_root, action) => {
    ctx.setGlobals(action.optsWithGlobals());
  });
  registerRunCommand(program, ctx);
  registerSkillsCommand(program, ctx);
  registerApprovalsCommand(program, ctx);
  registerRunsCommand(program, ctx);
  registerAuditCommand(program, ctx);
  registerDbCommand(program, ctx);
  registerInitCommand(program, ctx);
  registerServeCommand(program, ctx, stop);
  registerUsersCommand(program, ctx);
  registerCodeCommands(program, ctx);
  registerMcpCommand(program, ctx, stop);
  registerTokenCommands(program, ctx);
  registerRoutingCommands(program, ctx);
  registerAskCommand(program, ctx);
  registerEvalAgentCommand(program, ctx);
  registerJobsCommands(program, ctx);
  registerWebhooksCommands(program, ctx);
  registerScheduleCommands(program, ctx);
  registerSecretsCommands(program, ctx);
  registerReindexCommand(program, ctx, stop);
  // Subcommands inherit output and error handling.
  for (const cmd of program.commands) {
    cmd.exitOverride().configureOutput(program.configureOutput()).configureHelp({ showGlobalOptions: true });
    for (const sub of cmd.commands) sub.exitOverride().configureOutput(program.configureOutput());
  }
  return program;
}

/**
 * The `skillgate` command. `argv` is either `process.argv` (node, script, ...args) or just the
 * arguments (`['run', 'crm.find_customer', 'query=acme']`). Returns the exit code (see `--help`);
 * never calls `process.exit` (except `serve` on a second signal). Errors print
 * `error <code>: <message>` and a hint on stderr, never a stack trace.
 */
export async function main(argv: string[], io: MainIo = {}): Promise<number> {
  const ctx = new CliContext({
    stdout: io.stdout ?? process.stdout,
    stderr: io.stderr ?? process.stderr,
    ...io,
  });
  const args = argv === process.argv || argv[0] === process.execPath ? argv.slice(2) : argv;
  const program = buildProgram(ctx, io.stop);
  try {
    if (args.length === 0) {
      program.outputHelp();
      return EXIT.usage;
    }
    await program.parseAsync(args, { from: 'user' });
    return ctx.exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (err instanceof SkillgateError) {
      printErrorInfo(ctx, err);
      return EXIT.failed;
    }
    const message = err instanceof Error ? err.message : String(err);
    ctx.err(`error internal.error: ${message}`);
    ctx.err('  hint: an unexpected error; see the logs above for details');
    try {
      ctx.getLogger().error({ err }, 'unexpected error');
    } catch {
      // No logger without a config: the message above is all we have.
    }
    return EXIT.failed;
  } finally {
    await ctx.close().catch(() => {});
  }
}
