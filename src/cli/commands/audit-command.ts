import type { Command } from 'commander';
import { verifyAudit } from '../../core/audit/audit-log.js';
import { SkillgateError } from '../../core/errors.js';
import { type CliContext, EXIT } from '../cli-context.js';
import { printErrorInfo } from '../format/print-run-result.js';

/** `skillgate audit verify`. */
export function registerAuditCommand(program: Command, ctx: CliContext): void {
  const audit = program.command('audit').description('The append-only, hash-chained audit log');
  audit
    .command('verify')
    .description('Recompute the hash chain; exit 1 if any entry was edited or deleted')
    .action(async () => {
      const app = await ctx.openApp({ seed: false });
      const v = await verifyAudit(app.db);
      if (!v.ok) ctx.exitCode = EXIT.failed;
      if (ctx.json) return ctx.printJson(v);
      if (v.ok) {
        ctx.out(`audit log ok: ${v.entries} entries, chain intact`);
      } else {
        ctx.out(
          `audit log BROKEN at entry ${v.brokenAt}: ${v.reason} (${v.entries} entries verified before it)`,
        );
        printErrorInfo(
          ctx,
          new SkillgateError(
            'audit.chain_broken',
            `The audit log was edited or entries were deleted (entry ${v.brokenAt}).`,
          ),
        );
      }
    });
}
