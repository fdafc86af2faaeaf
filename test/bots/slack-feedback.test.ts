import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlackBot } from '../../src/bots/slack/slack-bot.js';
import { type RunningHttpServer, startHttpServer } from '../../src/server/start-http-server.js';
import { CHAT_USERS, createChatTestApp, slackButtons, slackText, type TestApp } from './chat-harness.js';
import { buttonPayload, FakeSlack, mentionEvent, postSigned } from './fakes/fake-slack.js';
import type { RecordedCall } from './fakes/recorder.js';

const SECRET = 'test-signing-secret';

describe('Slack: routing feedback on agent answers', () => {
  let app: TestApp;
  let slack: FakeSlack;
  let bot: SlackBot;
  let server: RunningHttpServer;
  let events: string;

  beforeAll(async () => {
    ({ app } = await createChatTestApp('slack', CHAT_USERS));
    slack = await new FakeSlack().start();
    bot = new SlackBot({
      app,
      botToken: 'xoxb-test-token',
      signingSecret: SECRET,
      apiUrl: slack.apiUrl,
      retries: 1,
    });
    server = await startHttpServer(app, {
      port: 0,
      mounts: [(hono) => void hono.post('/slack/events', (c) => bot.receiver!.handle(c))],
    });
    events = `${server.url}/slack/events`;
    await bot.start();
  });

  afterAll(async () => {
    await bot?.stop();
    await server?.close();
    await slack?.stop();
    await app?.close();
  });

  /** Mentions the bot and returns the agent answer posted in the thread. */
  const ask = async (text: string, match: string) => {
    const ev = mentionEvent({ user: 'UALICE', text });
    await postSigned(events, ev, { secret: SECRET });
    const answer = await slack.recorder.waitFor(
      (c) =>
        c.method === 'chat.postMessage' &&
        c.args.thread_ts === ev.event.ts &&
        slackText(c.args).includes(match),
    );
    return { ev, answer };
  };
  /** Clicks a button of a posted message and waits for the private reply to that user. */
  const click = async (
    user: string,
    b: { actionId: string; value: string },
    msg: RecordedCall,
    thread: string,
  ) => {
    const from = slack.recorder.calls.length;
    const ts = String(msg.response?.ts ?? msg.response?.message_ts);
    await postSigned(events, buttonPayload({ user, ...b, messageTs: ts, threadTs: thread }).form, {
      secret: SECRET,
    });
    return slack.recorder.waitFor(
      (c) => c.method === 'chat.postEphemeral' && c.args.user === user,
      10_000,
      from,
    );
  };
  /** The router's view of `demo.*` skills for a query, as `alice`. */
  const route = async (query: string) => {
    const r = await app.engine.router!.route(query, { principal: app.as('alice'), limit: 20 });
    return new Map(r.candidates.map((c) => [c.skill, c]));
  };
  const feedbackRows = async (query: string) =>
    (
      await app.db.query<{
        routed_skill: string;
        expected_skill: string | null;
        verdict: string;
        run_id: string | null;
      }>(
        'SELECT routed_skill, expected_skill, verdict, run_id FROM routing_feedback WHERE query = $1 ORDER BY id',
        [query],
      )
    ).rows;

  it('puts 👍 / wrong-skill buttons on a single-skill agent answer; 👍 records positive feedback for the request', async () => {
    const request = 'echo hello text=fb-up';
    const { ev, answer } = await ask(request, '✅ demo.echo');
    const buttons = slackButtons(answer.args);
    const agentRun = /agent run (agt_\w+)/.exec(slackText(answer.args))?.[1];
    expect(buttons.map((b) => [b.actionId.split(':')[0], b.value])).toEqual([
      ['sg_fb_up', agentRun],
      ['sg_fb_wrong', agentRun],
    ]);
    const before = (await route(request)).get('demo.echo')!;
    const reply = await click('UALICE', buttons[0], answer, ev.event.ts);
    expect(slackText(reply.args)).toContain(`"${request}" → demo.echo noted as right`);
    const stepRun = (
      await app.db.query<{ run_id: string }>('SELECT run_id FROM agent_steps WHERE agent_run_id = $1', [
        agentRun,
      ])
    ).rows[0].run_id;
    expect(await feedbackRows(request)).toEqual([
      { routed_skill: 'demo.echo', expected_skill: null, verdict: 'up', run_id: stepRun },
    ]);
    const after = (await route(request)).get('demo.echo')!;
    expect(after.signals.feedback).toBeGreaterThan(0);
    expect(after.score).toBeGreaterThan(before.score);
  });

  it('demotes the skill for the same request after a wrong-skill click, then records the skill picked as the right one', async () => {
    const request = 'echo hello text=fb-wrong';
    const { ev, answer } = await ask(request, '✅ demo.echo');
    const before = (await route(request)).get('demo.echo')!;
    const wrong = slackButtons(answer.args).find((b) => b.actionId.startsWith('sg_fb_wrong'))!;
    const picker = await click('UALICE', wrong, answer, ev.event.ts);
    expect(slackText(picker.args)).toContain(`demo.echo was the wrong skill for "${request}"`);
    expect(slackText(picker.args)).toContain('Which skill was right?');
    const picks = slackButtons(picker.args);
    expect(picks.length).toBeGreaterThan(0);
    expect(picks.length).toBeLessThanOrEqual(4);
    for (const p of picks) {
      expect(p.actionId.split(':')[0]).toBe('sg_fb_pick');
      expect(p.value.startsWith(`${wrong.value}:`)).toBe(true);
    }
    expect(picks.map((p) => p.value.split(':').at(-1))).not.toContain('demo.echo');

    // The later route call for the same request demotes demo.echo.
    const demoted = (await route(request)).get('demo.echo')!;
    expect(demoted.signals.feedback).toBeLessThan(0);
    expect(demoted.score).toBeLessThan(before.score);
    expect(await feedbackRows(request)).toEqual([
      expect.objectContaining({ routed_skill: 'demo.echo', expected_skill: null, verdict: 'wrong' }),
    ]);

    // Choosing the right skill completes that verdict (not a second rejection) and pulls towards it.
    const pick = picks.find((p) => p.value.endsWith(':demo.write')) ?? picks[0]!;
    const expected = pick.value.split(':').at(-1)!;
    const beforePick = (await route(request)).get(expected)?.signals.feedback ?? 0;
    const thanks = await click('UALICE', pick, picker, ev.event.ts);
    expect(slackText(thanks.args)).toContain(`→ ${expected} (not demo.echo)`);
    expect(await feedbackRows(request)).toEqual([
      expect.objectContaining({ routed_skill: 'demo.echo', expected_skill: expected, verdict: 'wrong' }),
    ]);
    expect((await route(request)).get(expected)!.signals.feedback).toBeGreaterThan(beforePick);
  });

  it('on a multi-step answer offers one 👍 for every skill and a wrong-skill button per step', async () => {
    const request = 'echo hello text=multi then write a note note=fb-multi';
    const { ev, answer } = await ask(request, 'agent run');
    const agentRun = /agent run (agt_\w+)/.exec(slackText(answer.args))?.[1];
    const buttons = slackButtons(answer.args);
    expect(buttons.map((b) => [b.actionId.split(':')[0], b.value])).toEqual([
      ['sg_fb_up', agentRun],
      ['sg_fb_wrong', `${agentRun}:s1`],
      ['sg_fb_wrong', `${agentRun}:s2`],
    ]);
    const up = await click('UALICE', buttons[0], answer, ev.event.ts);
    expect(slackText(up.args)).toContain('→ demo.echo, demo.write noted as right');
    const wrong = await click('UALICE', buttons[2], answer, ev.event.ts);
    expect(slackText(wrong.args)).toContain('demo.write was the wrong skill');
    // Recorded against the agent run's request text (its key=value words moved to the end).
    const stored = (
      await app.db.query<{ request: string }>('SELECT request FROM agent_runs WHERE id = $1', [agentRun])
    ).rows[0].request;
    expect(stored).toBe('echo hello then write a note text=multi note=fb-multi');
    expect((await feedbackRows(stored)).map((r) => `${r.verdict}:${r.routed_skill}`)).toEqual([
      'up:demo.echo',
      'up:demo.write',
      'wrong:demo.write',
    ]);
  });

  it('offers the stored routing candidates after a wrong-skill click on a routed run', async () => {
    const run = await app.engine.run({
      principal: app.as('alice'),
      channel: 'slack',
      query: 'echo hello',
      input: { text: 'routed' },
    });
    expect(run.skill).toBe('demo.echo');
    // A routed run's result message carries its run id (as `routerAsk` answers post it).
    const [msg] = slack.recorder.of('chat.postMessage');
    const picker = await click('UALICE', { actionId: 'sg_fb_wrong:1', value: run.runId }, msg!, 'T1');
    const stored = (
      await app.db.query<{ data: { candidates: { skill: string }[] } }>(
        `SELECT data FROM events WHERE run_id = $1 AND type = 'routing_candidates'`,
        [run.runId],
      )
    ).rows[0].data.candidates.map((c) => c.skill);
    const offered = slackButtons(picker.args).map((p) => p.value.split(':').at(-1));
    expect(offered).toEqual(stored.filter((s) => s !== 'demo.echo').slice(0, 4));
  });
});
