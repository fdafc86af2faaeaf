import { listApprovals } from '../core/approvals/approval-store.js';
import { SkillgateError } from '../core/errors.js';
import type { Principal } from '../core/principal.js';
import { getRun } from '../core/records/run-store.js';
import { auditChat, type ChatContext, type ChatDeps } from './chat-deps.js';
import type { ChatCommand } from './command-grammar.js';
import {
  approvalsMessage,
  identitiesMessage,
  noteMessage,
  runStatusMessage,
  skillsMessage,
} from './format/format-lists.js';
import { linkIdentity, listIdentities, parseChatUserRef, unlinkIdentity } from './store/identity-store.js';

export type InfoCommand = Extract<ChatCommand, { kind: 'skills' | 'approvals' | 'status' | 'users' }>;

/** Commands answered privately from stored state: skills, approvals, status, users (admins). */
export async function answerInfo(deps: ChatDeps, ctx: ChatContext, principal: Principal, cmd: InfoCommand) {
  const { app } = deps;
  switch (cmd.kind) {
    case 'skills': {
      const skills = app.registry.list({ publicOnly: true });
      const route =
        cmd.query && app.engine.router
          ? await app.engine.router.route(cmd.query, { principal, limit: 8 })
          : undefined;
      return ctx.replies.private(skillsMessage(skills, cmd.query, route));
    }
    case 'approvals': {
      const list = await listApprovals(app.db, { tenant: principal.tenant, status: 'pending', limit: 50 });
      const mine = list.filter(
        (a) => a.requestedBy === principal.id || a.approverRoles.some((r) => principal.roles.includes(r)),
      );
      return ctx.replies.private(approvalsMessage(mine, deps.clock()));
    }
    case 'status': {
      const run = await getRun(app.db, cmd.runId, principal.tenant);
      if (!run) throw new SkillgateError('run.not_found', `No run "${cmd.runId}".`, { run: cmd.runId });
      return ctx.replies.private(runStatusMessage(run, deps.redact));
    }
    case 'users':
      return manageUsers(deps, ctx, principal, cmd);
  }
}

async function manageUsers(
  deps: ChatDeps,
  ctx: ChatContext,
  principal: Principal,
  cmd: Extract<ChatCommand, { kind: 'users' }>,
) {
  const db = deps.app.db;
  if (!principal.roles.includes('admin')) {
    throw new SkillgateError(
      'policy.denied',
      `Only admins manage chat identities; ${principal.id} is not an admin.`,
    );
  }
  if (cmd.action === 'list') return ctx.replies.private(identitiesMessage(await listIdentities(db)));
  const user = parseChatUserRef(cmd.user ?? '');
  const name = `${user.platform}:${user.userId}`;
  if (cmd.action === 'link') {
    const id = await linkIdentity(db, deps.app.config, {
      user,
      principalId: cmd.principal!,
      linkedBy: principal.id,
    });
    await auditChat(deps, principal, 'identity.linked', { user: name, principal: id.principalId });
    return ctx.replies.private(noteMessage(`Linked ${name} to ${id.principalId}.`, 'success'));
  }
  const had = await unlinkIdentity(db, user);
  if (had) await auditChat(deps, principal, 'identity.unlinked', { user: name });
  return ctx.replies.private(noteMessage(had ? `Unlinked ${name}.` : 'That user was not linked.'));
}
