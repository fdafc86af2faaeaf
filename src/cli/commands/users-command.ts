import type { Command } from 'commander';
import {
  type ChatIdentity,
  ChatPlatformSchema,
  linkIdentity,
  listIdentities,
  parseChatUserRef,
  unlinkIdentity,
} from '../../bots/store/identity-store.js';
import { appendAudit } from '../../core/audit/audit-log.js';
import { SkillgateError } from '../../core/errors.js';
import type { CliContext } from '../cli-context.js';

function row(i: ChatIdentity) {
  return {
    user: `${i.platform}:${i.userId}`,
    principal: i.principalId,
    tenant: i.tenant,
    linked_by: i.linkedBy,
    linked: new Date(i.createdAt).toISOString().slice(0, 16).replace('T', ' '),
  };
}

/** `skillgate users link|unlink|list`: which Skillgate principal a Slack or Discord user acts as. */
export function registerUsersCommand(program: Command, ctx: CliContext): void {
  const users = program.command('users').description('Link Slack and Discord users to Skillgate principals');

  const audit = async (action: string, data: Record<string, unknown>) => {
    const app = await ctx.openApp();
    const p = ctx.principal();
    await app.db.tx((q) =>
      appendAudit(q, [
        { tenant: p.tenant, actor: p.id, action, data: { channel: 'cli', ...data }, ts: new Date() },
      ]),
    );
  };

  users
    .command('link')
    .description('Make a chat user act as a principal: skillgate users link slack:U123 alice')
    .argument('<user>', 'slack:<user id> or discord:<user id>')
    .argument('<principal>', 'a principal from the config')
    .action(async (user: string, principal: string) => {
      const ref = parseChatUserRef(user);
      const app = await ctx.openApp();
      const id = await linkIdentity(app.db, app.config, {
        user: ref,
        principalId: principal,
        linkedBy: ctx.principal().id,
      });
      await audit('identity.linked', { user: `${ref.platform}:${ref.userId}`, principal: id.principalId });
      if (ctx.json) return ctx.printJson(row(id));
      ctx.out(`${ref.platform}:${ref.userId} now acts as ${id.principalId} (tenant ${id.tenant})`);
    });

  users
    .command('unlink')
    .description('Remove the link of a chat user (they get the unknown_principal rights again)')
    .argument('<user>', 'slack:<user id> or discord:<user id>')
    .action(async (user: string) => {
      const ref = parseChatUserRef(user);
      const app = await ctx.openApp();
      const had = await unlinkIdentity(app.db, ref);
      if (!had) {
        throw new SkillgateError('request.invalid', `${ref.platform}:${ref.userId} is not linked.`, {
          user: `${ref.platform}:${ref.userId}`,
        });
      }
      await audit('identity.unlinked', { user: `${ref.platform}:${ref.userId}` });
      if (ctx.json) return ctx.printJson({ unlinked: `${ref.platform}:${ref.userId}` });
      ctx.out(`${ref.platform}:${ref.userId} unlinked`);
    });

  users
    .command('list')
    .description('List linked chat users')
    .option('--platform <platform>', 'slack or discord')
    .action(async (opts: { platform?: string }) => {
      const platform = opts.platform ? ChatPlatformSchema.safeParse(opts.platform) : undefined;
      if (platform && !platform.success) {
        throw new SkillgateError(
          'request.invalid',
          `--platform must be slack or discord, not "${opts.platform}".`,
        );
      }
      const app = await ctx.openApp();
      const list = await listIdentities(app.db, platform?.data);
      if (ctx.json) return ctx.printJson(list.map(row));
      if (list.length === 0) return ctx.out('no linked chat users');
      ctx.table(list.map(row));
    });
}
