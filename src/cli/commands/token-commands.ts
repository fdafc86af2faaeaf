import type { Command } from 'commander';
import { parseDuration } from '../../core/duration.js';
import { SkillgateError } from '../../core/errors.js';
import { type ApiTokenRecord, TokenStore } from '../../mcp/tokens/token-store.js';
import type { CliContext } from '../cli-context.js';

interface CreateOptions {
  name: string;
  role?: string;
  principal?: string;
  tenant?: string;
  expires?: string;
}

function day(d: Date | null): string {
  return d ? new Date(d).toISOString().slice(0, 16).replace('T', ' ') : '';
}

function tokenRow(t: ApiTokenRecord) {
  return {
    name: t.name,
    prefix: `${t.prefix}…`,
    acts_as: t.principalId ?? `token:${t.name} (${t.role})`,
    tenant: t.tenant,
    created: day(t.createdAt),
    expires: t.expiresAt ? day(t.expiresAt) : 'never',
    last_used: day(t.lastUsedAt),
    status: t.revokedAt
      ? 'revoked'
      : t.expiresAt && t.expiresAt.getTime() <= Date.now()
        ? 'expired'
        : 'active',
  };
}

/** `skillgate tokens create|list|revoke`: bearer tokens for MCP over HTTP. */
export function registerTokenCommands(program: Command, ctx: CliContext): void {
  const tokens = program.command('tokens').description('Manage bearer tokens for MCP over HTTP (/mcp)');
  const store = async () => {
    const app = await ctx.openApp();
    return new TokenStore(app.db, { config: app.config });
  };

  tokens
    .command('create')
    .description('Create a token and print it once (only its hash is stored)')
    .requiredOption('--name <name>', 'a unique name (the token acts as principal token:<name>)')
    .option('--role <role>', 'the role the token grants (viewer, operator, approver, admin, ...)')
    .option('--principal <id>', 'act as this configured principal instead of a role')
    .option('--tenant <tenant>', 'tenant of a --role token (default: config tenant)')
    .option('--expires <duration>', 'lifetime, e.g. 30d, 12h (default: never)')
    .action(async (opts: CreateOptions) => {
      if ((opts.role === undefined) === (opts.principal === undefined)) {
        throw new SkillgateError('request.invalid', 'Give exactly one of --role <role> or --principal <id>.');
      }
      let expiresInMs: number | undefined;
      if (opts.expires) {
        try {
          expiresInMs = parseDuration(opts.expires);
        } catch (err) {
          throw new SkillgateError('request.invalid', `--expires: ${(err as Error).message}.`);
        }
      }
      const { token, record } = await (await store()).create({
        name: opts.name,
        role: opts.role,
        principal: opts.principal,
        tenant: opts.tenant,
        expiresInMs,
        createdBy: ctx.globals.as ?? ctx.config.local_principal,
      });
      if (ctx.json) return ctx.printJson({ token, ...tokenRow(record) });
      ctx.out(token);
      ctx.err(
        `token "${record.name}" acts as ${record.principalId ?? `token:${record.name} with role ${record.role}`} ` +
          `in tenant ${record.tenant}, expires ${record.expiresAt ? record.expiresAt.toISOString() : 'never'}.\n` +
          'Store it now: it is not shown again. Send it as "Authorization: Bearer <token>" to /mcp.',
      );
    });

  tokens
    .command('list')
    .description('List tokens (never their secrets); revoked ones with --all')
    .option('--all', 'include revoked tokens')
    .action(async (opts: { all?: boolean }) => {
      const list = await (await store()).list({ includeRevoked: opts.all });
      if (ctx.json) return ctx.printJson(list.map(tokenRow));
      if (list.length === 0) return ctx.out('no tokens');
      ctx.table(list.map(tokenRow));
    });

  tokens
    .command('revoke')
    .description('Revoke a token by name (takes effect within config mcp.token_cache)')
    .argument('<name>', 'token name')
    .action(async (name: string) => {
      const t = await (await store()).revoke(name);
      if (ctx.json) return ctx.printJson(tokenRow(t));
      ctx.out(`token "${t.name}" revoked`);
    });
}
