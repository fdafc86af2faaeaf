import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiscordBot } from '../../src/bots/discord/discord-bot.js';
import { createChatTestApp, type TestApp } from './chat-harness.js';
import {
  APP_ID,
  buttonInteraction,
  CHANNEL,
  discordUser,
  FakeDiscord,
  GUILD,
  userMessage,
} from './fakes/fake-discord.js';
import type { RecordedCall } from './fakes/recorder.js';

const ALICE = discordUser('300000000000000002', 'alice');

function text(c: RecordedCall): string {
  const embeds =
    (c.args.embeds as { title?: string; description?: string; footer?: { text: string } }[]) ?? [];
  return embeds.flatMap((e) => [e.title ?? '', e.description ?? '', e.footer?.text ?? '']).join('\n');
}

function customIds(c: RecordedCall): string[] {
  return ((c.args.components as { components: { custom_id: string }[] }[]) ?? []).flatMap((r) =>
    r.components.map((b) => b.custom_id),
  );
}

describe('Discord: routing feedback on agent answers', () => {
  let app: TestApp;
  let discord: FakeDiscord;
  let bot: DiscordBot;

  beforeAll(async () => {
    ({ app } = await createChatTestApp('discord', { [ALICE.id]: 'alice' }));
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

  const rec = () => discord.recorder;
  /** Clicks a button and returns the ephemeral follow-up it got. */
  const click = async (customId: string, message: { id: string; channel_id: string }) => {
    const i = buttonInteraction(discord, ALICE, customId, message);
    discord.dispatch('INTERACTION_CREATE', i);
    const reply = await rec().waitFor((c) => c.method === `POST /webhooks/${APP_ID}/${i.token}`);
    expect(reply.args.flags).toBe(64);
    return reply;
  };
  const demoEcho = async (query: string) =>
    (await app.engine.router!.route(query, { principal: app.as('alice'), limit: 20 })).candidates.find(
      (c) => c.skill === 'demo.echo',
    )!;

  it('records 👍 and wrong-skill clicks on an agent answer, demotes the skill and takes the right one from the picker', async () => {
    const request = 'echo hello text=discord-fb';
    const m = userMessage(ALICE, request);
    discord.dispatch('MESSAGE_CREATE', m);
    const thread = await rec().waitFor(
      (c) => c.method === `POST /channels/${CHANNEL}/messages/${m.id}/threads`,
    );
    const threadId = String(thread.response?.id);
    const answer = await rec().waitFor(
      (c) => c.method === `POST /channels/${threadId}/messages` && text(c).includes('✅ demo.echo'),
    );
    const agentRun = /agent run (agt_\w+)/.exec(text(answer))?.[1];
    expect(customIds(answer)).toEqual([`sg_fb_up:${agentRun}`, `sg_fb_wrong:${agentRun}`]);
    const answerMsg = { id: String(answer.response?.id), channel_id: threadId };

    const base = await demoEcho(request);
    const up = await click(`sg_fb_up:${agentRun}`, answerMsg);
    expect(text(up)).toContain(`"${request}" → demo.echo noted as right`);
    const liked = await demoEcho(request);
    expect(liked.signals.feedback).toBeGreaterThan(0);
    expect(liked.score).toBeGreaterThan(base.score);

    const picker = await click(`sg_fb_wrong:${agentRun}`, answerMsg);
    expect(text(picker)).toContain('Which skill was right?');
    const picks = customIds(picker);
    expect(picks.length).toBeGreaterThan(0);
    for (const id of picks) expect(id).toMatch(new RegExp(`^sg_fb_pick:${agentRun}:demo\\.(?!echo)`));
    const demoted = await demoEcho(request);
    expect(demoted.signals.feedback).toBeLessThan(0);
    expect(demoted.score).toBeLessThan(liked.score);

    const chosen = picks[0]!.split(':').at(-1)!;
    const thanks = await click(picks[0]!, { id: String(picker.response?.id), channel_id: threadId });
    expect(text(thanks)).toContain(`→ ${chosen} (not demo.echo)`);
    const rows = await app.db.query<{ verdict: string; routed_skill: string; expected_skill: string | null }>(
      'SELECT verdict, routed_skill, expected_skill FROM routing_feedback WHERE query = $1 ORDER BY id',
      [request],
    );
    expect(rows.rows).toEqual([
      { verdict: 'up', routed_skill: 'demo.echo', expected_skill: null },
      { verdict: 'wrong', routed_skill: 'demo.echo', expected_skill: chosen },
    ]);
  });
});
