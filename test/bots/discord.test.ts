import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiscordBot } from '../../src/bots/discord/discord-bot.js';
import { approvalAudit, auditActions, createChatTestApp, type TestApp } from './chat-harness.js';
import {
  APP_ID,
  autocompleteInteraction,
  buttonInteraction,
  CHANNEL,
  commandInteraction,
  discordUser,
  FakeDiscord,
  GUILD,
  userMessage,
} from './fakes/fake-discord.js';
import type { RecordedCall } from './fakes/recorder.js';

const ADMIN = discordUser('300000000000000001', 'admin');
const ALICE = discordUser('300000000000000002', 'alice');
const BOB = discordUser('300000000000000003', 'bob');
const STRANGER = discordUser('300000000000000009', 'stranger');

/** Every text of a Discord message body (embeds and content). */
function text(c: RecordedCall): string {
  const embeds =
    (c.args.embeds as {
      title?: string;
      description?: string;
      fields?: { name: string; value: string }[];
      footer?: { text: string };
    }[]) ?? [];
  return [
    String(c.args.content ?? ''),
    ...embeds.flatMap((e) => [
      e.title ?? '',
      e.description ?? '',
      ...(e.fields ?? []).map((f) => `${f.name}: ${f.value}`),
      e.footer?.text ?? '',
    ]),
  ].join('\n');
}

function customIds(c: RecordedCall): string[] {
  return ((c.args.components as { components: { custom_id: string }[] }[]) ?? []).flatMap((r) =>
    r.components.map((b) => b.custom_id),
  );
}

describe('Discord over the gateway', () => {
  let app: TestApp;
  let fx: Awaited<ReturnType<typeof createChatTestApp>>['fx'];
  let discord: FakeDiscord;
  let bot: DiscordBot;

  const rec = () => discord.recorder;
  const interact = (d: unknown) => discord.dispatch('INTERACTION_CREATE', d);

  beforeAll(async () => {
    ({ app, fx } = await createChatTestApp('discord', {
      [ADMIN.id]: 'local',
      [ALICE.id]: 'alice',
      [BOB.id]: 'bob',
    }));
    discord = await new FakeDiscord().start();
    bot = new DiscordBot({
      app,
      token: 'discord-test-token',
      applicationId: APP_ID,
      apiUrl: discord.apiUrl,
      guildId: GUILD,
      retries: 1,
    });
    await bot.start();
  });

  afterAll(async () => {
    await bot?.stop();
    await discord?.stop();
    await app?.close();
  });

  it('registers /skillgate with its subcommands and skill autocomplete', () => {
    const put = rec().of(`PUT /applications/${APP_ID}/guilds/${GUILD}/commands`)[0];
    const [cmd] = put.args as unknown as {
      name: string;
      options: { name: string; options?: { name: string; autocomplete?: boolean }[] }[];
    }[];
    expect(cmd.name).toBe('skillgate');
    expect(cmd.options.map((o) => o.name)).toEqual([
      'run',
      'ask',
      'skills',
      'approvals',
      'status',
      'help',
      'users',
      'link',
      'unlink',
    ]);
    expect(cmd.options[0].options?.[0]).toMatchObject({ name: 'skill', autocomplete: true });
  });

  it('autocompletes skill ids', async () => {
    const i = autocompleteInteraction(discord, ALICE, 'pur');
    interact(i);
    const cb = await rec().waitFor((c) => c.method === `POST /interactions/${i.id}/${i.token}/callback`);
    expect(cb.args).toEqual({
      type: 8,
      data: { choices: [{ name: 'demo.purge — Purge notes', value: 'demo.purge' }] },
    });
  });

  it('answers /skillgate help ephemerally (deferred, then edited)', async () => {
    const i = commandInteraction(discord, ALICE, 'help');
    interact(i);
    const cb = await rec().waitFor((c) => c.method === `POST /interactions/${i.id}/${i.token}/callback`);
    expect(cb.args).toMatchObject({ type: 5, data: { flags: 64 } });
    const edit = await rec().waitFor(
      (c) => c.method === `PATCH /webhooks/${APP_ID}/${i.token}/messages/@original`,
    );
    expect(text(edit)).toContain('You act as `alice`');
  });

  it('runs /skillgate run: a public deferred reply edited with progress and the result', async () => {
    const i = commandInteraction(discord, ALICE, 'run', {
      skill: 'demo.echo',
      args: 'text="from discord" n=2',
    });
    interact(i);
    const cb = await rec().waitFor((c) => c.method === `POST /interactions/${i.id}/${i.token}/callback`);
    expect(cb.args).toMatchObject({ type: 5 });
    const final = await rec().waitFor(
      (c) =>
        c.method === `PATCH /webhooks/${APP_ID}/${i.token}/messages/@original` &&
        text(c).includes('✅ demo.echo'),
    );
    expect(text(final)).toMatch(/text: from discord\nn: 2/);
  });

  it('refuses unknown users and shows errors with their code, ephemerally', async () => {
    const i = commandInteraction(discord, STRANGER, 'skills');
    interact(i);
    const edit = await rec().waitFor(
      (c) => c.method === `PATCH /webhooks/${APP_ID}/${i.token}/messages/@original`,
    );
    expect(text(edit)).toContain('`auth.unknown_principal`');
    const s = commandInteraction(discord, ALICE, 'status', { run: 'run_missing' });
    interact(s);
    const nf = await rec().waitFor(
      (c) => c.method === `PATCH /webhooks/${APP_ID}/${s.token}/messages/@original`,
    );
    expect(text(nf)).toMatch(/`run.not_found`[\s\S]*What to do/);
  });

  it('answers a public command refused before it started privately, removing the public reply', async () => {
    const i = commandInteraction(discord, ALICE, 'run', { skill: 'demo.echo', args: 'not-a-pair' });
    interact(i);
    const reply = await rec().waitFor((c) => c.method === `POST /webhooks/${APP_ID}/${i.token}`);
    expect(reply.args.flags).toBe(64);
    expect(text(reply)).toContain('`request.invalid`');
    expect(rec().of(`DELETE /webhooks/${APP_ID}/${i.token}/messages/@original`)).toHaveLength(1);
  });

  it('answers a mention in a new thread, editing one status message, then posting the result', async () => {
    const m = userMessage(ALICE, 'echo hello text=threaded');
    discord.dispatch('MESSAGE_CREATE', m);
    const thread = await rec().waitFor(
      (c) => c.method === `POST /channels/${CHANNEL}/messages/${m.id}/threads`,
    );
    const threadId = String(thread.response?.id);
    const status = await rec().waitFor((c) => c.method === `POST /channels/${threadId}/messages`);
    expect(text(status)).toContain('⏳ echo hello text=threaded');
    const result = await rec().waitFor(
      (c) => c.method === `POST /channels/${threadId}/messages` && text(c).includes('✅ demo.echo'),
    );
    expect(text(result)).toContain('text: threaded');
    expect(text(result)).toMatch(/\[s1: demo\.echo\]/);
    // The answer carries the routing feedback buttons for the agent run (see discord-feedback.test.ts).
    const agentRun = /agent run (agt_\w+)/.exec(text(result))?.[1];
    expect(customIds(result)).toEqual([`sg_fb_up:${agentRun}`, `sg_fb_wrong:${agentRun}`]);
    expect(
      rec().of(`PATCH /channels/${threadId}/messages/${status.response?.id}`).length,
    ).toBeGreaterThanOrEqual(1);
  });

  it('end to end: mention -> card in the thread -> requester refused -> approver runs it -> result -> audit', async () => {
    fx.notes.push('dc-1', 'dc-2');
    const m = userMessage(ADMIN, 'delete the notes matching a prefix prefix=dc-');
    discord.dispatch('MESSAGE_CREATE', m);
    const thread = await rec().waitFor(
      (c) => c.method === `POST /channels/${CHANNEL}/messages/${m.id}/threads`,
    );
    const threadId = String(thread.response?.id);
    const card = await rec().waitFor(
      (c) => c.method === `POST /channels/${threadId}/messages` && text(c).includes('Approval needed'),
    );
    expect(text(card)).toMatch(/Requested by: local via agent[\s\S]*Risk: 🔴 high/);
    expect(text(card)).toMatch(/would_delete:\n {2}- dc-1\n {2}- dc-2/);
    const [approveId, , detailsId] = customIds(card);
    expect(approveId).toMatch(/^sg_approve:apr_/);
    const cardMsg = { id: String(card.response?.id), channel_id: threadId };

    const self = buttonInteraction(discord, ADMIN, approveId, cardMsg);
    interact(self);
    const refusal = await rec().waitFor((c) => c.method === `POST /webhooks/${APP_ID}/${self.token}`);
    expect(refusal.args.flags).toBe(64);
    expect(text(refusal)).toContain('`approval.self_approval`');
    const alice = buttonInteraction(discord, ALICE, approveId, cardMsg);
    interact(alice);
    expect(
      text(await rec().waitFor((c) => c.method === `POST /webhooks/${APP_ID}/${alice.token}`)),
    ).toContain('`approval.not_approver`');
    expect(fx.calls.purge ?? 0).toBe(0);

    const details = buttonInteraction(discord, BOB, detailsId, cardMsg);
    interact(details);
    expect(
      text(await rec().waitFor((c) => c.method === `POST /webhooks/${APP_ID}/${details.token}`)),
    ).toContain('prefix: dc-');

    const bob = buttonInteraction(discord, BOB, approveId, cardMsg);
    interact(bob);
    const ack = await rec().waitFor((c) => c.method === `POST /interactions/${bob.id}/${bob.token}/callback`);
    expect(ack.args).toEqual({ type: 6 });
    const result = await rec().waitFor(
      (c) => c.method === `POST /channels/${threadId}/messages` && text(c).includes('✅ demo.purge'),
    );
    expect(text(result)).toMatch(/deleted:\n {2}- dc-1\n {2}- dc-2/);
    await bot.service.idle();
    const edits = rec().of(`PATCH /channels/${threadId}/messages/${cardMsg.id}`);
    expect(text(edits.at(-1)!)).toContain('Approved by bob (discord): executed');
    expect(customIds(edits.at(-1)!).map((id) => id.split(':')[0])).toEqual(['sg_details']);

    // The same click delivered twice runs nothing more.
    interact({ ...bob });
    const again = buttonInteraction(discord, BOB, approveId, cardMsg);
    interact(again);
    expect(
      text(await rec().waitFor((c) => c.method === `POST /webhooks/${APP_ID}/${again.token}`)),
    ).toContain('`approval.not_pending`');
    expect(fx.calls.purge).toBe(1);

    const approvalId = approveId.split(':')[1];
    const runId = (
      await app.db.query<{ run_id: string }>('SELECT run_id FROM approvals WHERE id = $1', [approvalId])
    ).rows[0].run_id;
    expect((await auditActions(app, runId)).map((a) => a.action)).toEqual([
      'approval.requested',
      'approval.approved',
      'run.succeeded',
    ]);
    expect((await approvalAudit(app, approvalId)).map((a) => `${a.action}:${a.actor}`)).toEqual([
      'approval.requested:local',
      'approval.decision_refused:local',
      'approval.decision_refused:alice',
      'approval.approved:bob',
      'run.succeeded:local',
      'approval.decision_refused:bob',
    ]);
  });

  it('denies from a button: the card shows who denied and nothing runs', async () => {
    const i = commandInteraction(discord, ADMIN, 'run', { skill: 'demo.purge', args: 'prefix=zzz' });
    const from = rec().calls.length;
    interact(i);
    const card = await rec().waitFor(
      (c) => c.method === `POST /channels/${CHANNEL}/messages` && text(c).includes('Approval needed'),
      10_000,
      from,
    );
    const [, denyId] = customIds(card);
    const before = fx.calls.purge ?? 0;
    const deny = buttonInteraction(discord, BOB, denyId, {
      id: String(card.response?.id),
      channel_id: CHANNEL,
    });
    interact(deny);
    const edit = await rec().waitFor(
      (c) =>
        c.method === `PATCH /channels/${CHANNEL}/messages/${card.response?.id}` && text(c).includes('Denied'),
    );
    expect(text(edit)).toContain('⛔ Denied by bob (discord)');
    expect(fx.calls.purge ?? 0).toBe(before);
  });

  it('honours REST rate limits (429 retry_after) with backoff', async () => {
    discord.failures.set('POST /channels', [{ status: 429, retryAfter: 0.3 }]);
    const m = userMessage(ALICE, 'echo hello text=limited');
    discord.dispatch('MESSAGE_CREATE', m);
    const limited = await rec().waitFor((c) => c.method.endsWith('!429'));
    const ok = await rec().waitFor(
      (c) => c.method === limited.method.replace('!429', '') && c.at > limited.at,
    );
    expect(ok.at - limited.at).toBeGreaterThanOrEqual(250);
    await rec().waitFor((c) => c.method.startsWith('POST /channels/') && text(c).includes('text: limited'));
  });
});
