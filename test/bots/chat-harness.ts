import { linkIdentity } from '../../src/bots/store/identity-store.js';
import type { SkillgateApp } from '../../src/core/app.js';
import type { Principal } from '../../src/core/principal.js';
import { ENGINE_SKILLS_DIR, engineFixtureBuiltins } from '../helpers/engine-fixtures.js';
import { createTestApp } from '../helpers/test-app.js';

export type TestApp = SkillgateApp & { as(id: string): Principal };

/** Chat users of the tests and the principals they are linked to (local is an admin). */
export const CHAT_USERS = {
  UADMIN: 'local',
  UALICE: 'alice',
  UBOB: 'bob',
  UCAROL: 'carol',
  UVIC: 'vic',
} as const;

/** A test app with the engine fixture skills (demo.echo, demo.write, demo.purge, ...) and linked chat users. */
export async function createChatTestApp(
  platform: 'slack' | 'discord',
  users: Record<string, string>,
  config: Record<string, unknown> = {},
) {
  const fx = engineFixtureBuiltins();
  const app = (await createTestApp({
    builtins: fx.builtins,
    skillDirs: [ENGINE_SKILLS_DIR],
    config: { chat: { progress_interval: 0, reconcile_every: 0 }, ...config },
  })) as TestApp;
  for (const [userId, principalId] of Object.entries(users)) {
    await linkIdentity(app.db, app.config, { user: { platform, userId }, principalId, linkedBy: 'test' });
  }
  return { app, fx };
}

/** Audit actions of a run, in order. */
export async function auditActions(
  app: TestApp,
  runId: string,
): Promise<{ action: string; actor: string }[]> {
  const r = await app.db.query<{ action: string; actor: string }>(
    'SELECT action, actor FROM audit_log WHERE run_id = $1 ORDER BY seq',
    [runId],
  );
  return r.rows;
}

/** Audit actions about an approval (including refused clicks, which have no run id). */
export async function approvalAudit(
  app: TestApp,
  approvalId: string,
): Promise<{ action: string; actor: string }[]> {
  const r = await app.db.query<{ action: string; actor: string }>(
    `SELECT action, actor FROM audit_log WHERE data->>'approval' = $1 ORDER BY seq`,
    [approvalId],
  );
  return r.rows;
}

/** Text of every block of a recorded Slack message, joined. */
export function slackText(args: Record<string, unknown>): string {
  const blocks =
    (args.blocks as {
      text?: { text?: string };
      fields?: { text: string }[];
      elements?: { text?: string | { text: string } }[];
    }[]) ?? [];
  const parts: string[] = [String(args.text ?? '')];
  for (const b of blocks) {
    if (b.text?.text) parts.push(b.text.text);
    for (const f of b.fields ?? []) parts.push(f.text);
    for (const e of b.elements ?? []) parts.push(typeof e.text === 'string' ? e.text : (e.text?.text ?? ''));
  }
  return parts.join('\n');
}

/** Action ids of the buttons of a recorded Slack message. */
export function slackButtons(args: Record<string, unknown>): { actionId: string; value: string }[] {
  const blocks =
    (args.blocks as { type: string; elements?: { action_id?: string; value?: string }[] }[]) ?? [];
  return blocks
    .filter((b) => b.type === 'actions')
    .flatMap((b) => b.elements ?? [])
    .map((e) => ({ actionId: String(e.action_id), value: String(e.value) }));
}
