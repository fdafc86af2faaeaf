import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chatBotsMount, createChatBots } from '../../src/bots/chat-bots.js';
import { SecretStore } from '../../src/core/secrets.js';
import { startHttpServer } from '../../src/server/start-http-server.js';
import { createChatTestApp, slackText, type TestApp } from './chat-harness.js';
import { APP_ID, FakeDiscord } from './fakes/fake-discord.js';
import { FakeSlack, postSigned, slashCommandBody } from './fakes/fake-slack.js';

function capture() {
  const lines: string[] = [];
  const logger = pino(
    { level: 'info' },
    new Writable({
      write(chunk, _enc, cb) {
        lines.push(String((JSON.parse(String(chunk)) as { msg: string }).msg));
        cb();
      },
    }),
  );
  return { logger, lines };
}

describe('starting the chat bots with serve', () => {
  let app: TestApp;
  let slack: FakeSlack;
  let discord: FakeDiscord;

  beforeAll(async () => {
    ({ app } = await createChatTestApp(
      'slack',
      {},
      { unknown_principal: 'viewer', chat: { reconcile_every: 0 } },
    ));
    slack = await new FakeSlack().start();
    discord = await new FakeDiscord().start();
  });

  afterAll(async () => {
    await slack?.stop();
    await discord?.stop();
    await app?.close();
  });

  it('skips each platform without tokens, with a clear log line', async () => {
    const { logger, lines } = capture();
    const bots = createChatBots(
      { ...app, logger, secrets: new SecretStore(app.config.home, {}) },
      { env: {} },
    );
    await bots.started;
    await bots.stop();
    expect(bots.slack).toBeUndefined();
    expect(bots.discord).toBeUndefined();
    expect(lines).toEqual([
      'Slack skipped: set SLACK_BOT_TOKEN plus SLACK_SIGNING_SECRET (HTTP at /slack/events) or SLACK_APP_TOKEN (Socket Mode) to enable it',
      'Discord skipped: set DISCORD_TOKEN and DISCORD_APPLICATION_ID to enable it',
    ]);
  });

  it('starts Slack over HTTP at /slack/events and Discord when tokens are configured; secrets never reach chat', async () => {
    const { logger, lines } = capture();
    const secrets = new SecretStore(app.config.home, {
      SLACK_BOT_TOKEN: 'xoxb-serve-token',
      SLACK_SIGNING_SECRET: 'serve-secret',
      DISCORD_TOKEN: 'discord-serve-token',
      DISCORD_APPLICATION_ID: APP_ID,
    });
    const env = { SKILLGATE_SLACK_API_URL: slack.apiUrl, SKILLGATE_DISCORD_API_URL: discord.apiUrl };
    const server = await startHttpServer(
      { ...app, logger, secrets },
      { port: 0, mounts: [chatBotsMount({ env })] },
    );
    try {
      await discord.recorder.waitFor((c) => c.method === 'gateway.identify');
      await slack.recorder.waitFor((c) => c.method === 'auth.test');
      const url = `${server.url}/slack/events`;
      // Unknown users are viewers here (unknown_principal: viewer): they may read, not write.
      await postSigned(
        url,
        slashCommandBody({
          user: 'USTRANGER',
          text: 'run demo.write note=x',
          responseUrl: slack.responseUrl('v1'),
        }),
        { secret: 'serve-secret' },
      );
      const refused = await slack.recorder.waitFor(
        (c) => c.method === 'chat.postMessage' && slackText(c.args).includes('policy.denied'),
      );
      expect(slackText(refused.args)).toContain('slack:USTRANGER');
      expect(
        (
          await postSigned(
            url,
            slashCommandBody({ user: 'U1', text: 'help', responseUrl: slack.responseUrl('x') }),
            { secret: 'wrong' },
          )
        ).status,
      ).toBe(401);
      // Tokens go to the platforms' auth endpoints only, never into a message.
      const messages = [...slack.recorder.calls, ...discord.recorder.calls].filter(
        (c) => !['auth.test', 'gateway.identify'].includes(c.method),
      );
      const everything = JSON.stringify(messages.map((c) => c.args));
      expect(everything).not.toContain('xoxb-serve-token');
      expect(everything).not.toContain('discord-serve-token');
    } finally {
      await server.close();
    }
    expect(lines).toEqual(
      expect.arrayContaining(['Slack (HTTP /slack/events) started', 'Discord (gateway) started']),
    );
  });
});
