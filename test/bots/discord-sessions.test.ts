import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiscordBot } from '../../src/bots/discord/discord-bot.js';
import { createChatTestApp, type TestApp } from './chat-harness.js';
import {
  APP_ID,
  BOT_ID,
  buttonInteraction,
  CHANNEL,
  discordUser,
  FakeDiscord,
  GUILD,
  userMessage,
} from './fakes/fake-discord.js';
import type { RecordedCall } from './fakes/recorder.js';

const ALICE = discordUser('300000000000000002', 'alice');
const BOB = discordUser('300000000000000003', 'bob');

function text(c: RecordedCall): string {
  const embeds = (c.args.embeds as { title?: string; description?: string }[]) ?? [];
  return embeds.map((e) => `${e.title ?? ''}\n${e.description ?? ''}`).join('\n');
}

describe('Discord sessions and the approvals channel', () => {
  let app: TestApp;
  let fx: Awaited<ReturnType<typeof createChatTestApp>>['fx'];
  let discord: FakeDiscord;
  let bot: DiscordBot;
  const newBot = () =>
    new DiscordBot({
      app,
      token: 'discord-token',
      applicationId: APP_ID,
      apiUrl: discord.apiUrl,
      guildId: GUILD,
      retries: 1,
    });

  beforeAll(async () => {
    ({ app, fx } = await createChatTestApp(
      'discord',
      { [ALICE.id]: 'alice', [BOB.id]: 'bob' },
      { chat: { progress_interval: 0, reconcile_every: 0, discord: { approvals_channel: CHANNEL } } },
    ));
    discord = await new FakeDiscord().start();
    bot = newBot();
    await bot.start();
  });

  afterAll(async () => {
    await bot?.stop();
    await discord?.stop();
    await app?.close();
  });

  it('keeps a thread as a session across a restart: a follow-up without mention re-runs with changes', async () => {
    const m = userMessage(ALICE, 'echo hello text=before');
    discord.dispatch('MESSAGE_CREATE', m);
    const thread = await discord.recorder.waitFor(
      (c) => c.method === `POST /channels/${CHANNEL}/messages/${m.id}/threads`,
    );
    const threadId = String(thread.response?.id);
    await discord.recorder.waitFor(
      (c) => c.method === `POST /channels/${threadId}/messages` && text(c).includes('text: before'),
    );
    await bot.stop();
    discord.threads.push({
      ...thread.response,
      id: threadId,
      guild_id: GUILD,
      parent_id: CHANNEL,
      owner_id: BOT_ID,
    });
    const identified = discord.whenIdentified();
    bot = newBot();
    await bot.start();
    await identified;
    discord.dispatch('MESSAGE_CREATE', userMessage(ALICE, 'text=after', threadId, false));
    const again = await discord.recorder.waitFor(
      (c) => c.method === `POST /channels/${threadId}/messages` && text(c).includes('text: after'),
    );
    expect(text(again)).toContain('✅ demo.echo');
  });

  it('ignores plain messages outside sessions and messages of bots', async () => {
    await bot.service.idle();
    const before = discord.recorder.calls.length;
    discord.dispatch('MESSAGE_CREATE', userMessage(ALICE, 'just chatting', CHANNEL, false));
    discord.dispatch('MESSAGE_CREATE', {
      ...userMessage(ALICE, 'echo hello text=x', CHANNEL, true),
      author: discordUser('300000000000000077', 'otherbot', true),
    });
    // Gateway events arrive in order: once this mention is answered, the two above were seen.
    const m = userMessage(ALICE, 'echo hello text=marker');
    discord.dispatch('MESSAGE_CREATE', m);
    const marker = await discord.recorder.waitFor(
      (c) => c.method === `POST /channels/${CHANNEL}/messages/${m.id}/threads`,
    );
    expect(discord.recorder.calls.indexOf(marker)).toBe(before);
    await bot.service.idle();
  });

  it('posts approvals requested elsewhere to the approvals channel, where an approver decides', async () => {
    fx.notes.push('cli-1');
    const r = await app.engine.run({
      principal: app.as('local'),
      channel: 'cli',
      skill: 'demo.purge',
      input: { prefix: 'cli-' },
    });
    expect(r.status).toBe('pending_approval');
    const card = await discord.recorder.waitFor(
      (c) => c.method === `POST /channels/${CHANNEL}/messages` && text(c).includes('Approval needed'),
    );
    const approve = `sg_approve:${r.approval!.id}`;
    discord.dispatch(
      'INTERACTION_CREATE',
      buttonInteraction(discord, BOB, approve, { id: String(card.response?.id), channel_id: CHANNEL }),
    );
    const result = await discord.recorder.waitFor(
      (c) => c.method === `POST /channels/${CHANNEL}/messages` && text(c).includes('✅ demo.purge'),
    );
    expect(text(result)).toContain('cli-1');
    expect(fx.calls.purge).toBe(1);
  });
});
