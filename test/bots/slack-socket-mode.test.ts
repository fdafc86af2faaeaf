import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlackBot } from '../../src/bots/slack/slack-bot.js';
import {
  approvalAudit,
  CHAT_USERS,
  createChatTestApp,
  slackButtons,
  slackText,
  type TestApp,
} from './chat-harness.js';
import { buttonPayload, FakeSlack, mentionEvent } from './fakes/fake-slack.js';

describe('Slack over Socket Mode', () => {
  let app: TestApp;
  let fx: Awaited<ReturnType<typeof createChatTestApp>>['fx'];
  let slack: FakeSlack;
  let bot: SlackBot;

  beforeAll(async () => {
    ({ app, fx } = await createChatTestApp('slack', CHAT_USERS));
    slack = await new FakeSlack().start();
    bot = new SlackBot({
      app,
      botToken: 'xoxb-socket',
      appToken: 'xapp-socket',
      apiUrl: slack.apiUrl,
      retries: 1,
    });
    const connected = slack.whenConnected();
    await bot.start();
    await connected;
  });

  afterAll(async () => {
    await bot?.stop();
    await slack?.stop();
    await app?.close();
  });

  it('connects through apps.connections.open with the app token', () => {
    expect(slack.recorder.of('apps.connections.open')).toHaveLength(1);
  });

  it('acknowledges a slash command envelope at once and answers through the response URL', async () => {
    const ack = await slack.sendEnvelope('slash_commands', {
      command: '/skillgate',
      text: 'run demo.echo text=socket',
      user_id: 'UALICE',
      user_name: 'alice',
      channel_id: 'C9',
      team_id: 'T1',
      trigger_id: 'trig-socket-1',
      response_url: slack.responseUrl('sock1'),
      api_app_id: 'A1',
    });
    expect(ack ?? {}).toEqual({});
    const result = await slack.recorder.waitFor(
      (c) =>
        c.method === 'chat.postMessage' &&
        c.args.channel === 'C9' &&
        slackText(c.args).includes('text: socket'),
    );
    expect(result.args.thread_ts).toBeDefined();
  });

  it('runs a mention once even when the envelope is retried', async () => {
    const ev = mentionEvent({ user: 'UALICE', text: 'write a note note=socket-once', channel: 'C9' });
    await slack.sendEnvelope('events_api', ev);
    await slack.sendEnvelope('events_api', ev, 1);
    await slack.recorder.waitFor(
      (c) =>
        c.method === 'chat.postMessage' &&
        c.args.thread_ts === ev.event.ts &&
        slackText(c.args).includes('✅ demo.write'),
    );
    await bot.service.idle();
    expect(fx.notes.filter((n) => n === 'socket-once')).toHaveLength(1);
  });

  it('end to end over the socket: card, refused self-approval, approval by another approver, result in thread', async () => {
    fx.notes.push('sock-1');
    const ev = mentionEvent({
      user: 'UADMIN',
      text: 'delete the notes matching a prefix prefix=sock-',
      channel: 'C9',
    });
    await slack.sendEnvelope('events_api', ev);
    const card = await slack.recorder.waitFor(
      (c) =>
        c.method === 'chat.postMessage' &&
        c.args.thread_ts === ev.event.ts &&
        slackText(c.args).includes('Approval needed'),
    );
    const approve = slackButtons(card.args)[0];
    const ts = String(card.response?.ts);
    const clickAs = (user: string) =>
      slack.sendEnvelope(
        'interactive',
        buttonPayload({
          user,
          actionId: approve.actionId,
          value: approve.value,
          channel: 'C9',
          messageTs: ts,
          threadTs: ev.event.ts,
        }).payload,
      );
    await clickAs('UADMIN');
    await slack.recorder.waitFor(
      (c) =>
        c.method === 'chat.postEphemeral' &&
        c.args.user === 'UADMIN' &&
        slackText(c.args).includes('approval.self_approval'),
    );
    expect(fx.calls.purge ?? 0).toBe(0);
    await clickAs('UCAROL');
    const result = await slack.recorder.waitFor(
      (c) =>
        c.method === 'chat.postMessage' &&
        c.args.thread_ts === ev.event.ts &&
        slackText(c.args).includes('✅ demo.purge'),
    );
    expect(slackText(result.args)).toContain('sock-1');
    await bot.service.idle();
    expect(
      slackText(
        slack.recorder
          .of('chat.update')
          .filter((c) => c.args.ts === ts)
          .at(-1)!.args,
      ),
    ).toContain('Approved by carol (slack)');
    expect((await approvalAudit(app, approve.value)).map((a) => `${a.action}:${a.actor}`)).toEqual([
      'approval.requested:local',
      'approval.decision_refused:local',
      'approval.approved:carol',
      'run.succeeded:local',
    ]);
  });
});
