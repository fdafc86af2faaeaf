import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlackBot } from '../../src/bots/slack/slack-bot.js';
import { type RunningHttpServer, startHttpServer } from '../../src/server/start-http-server.js';
import { CHAT_USERS, createChatTestApp, slackButtons, slackText, type TestApp } from './chat-harness.js';
import {
  buttonPayload,
  FakeSlack,
  mentionEvent,
  postSigned,
  slashCommandBody,
  threadMessageEvent,
} from './fakes/fake-slack.js';

const SECRET = 'approvals-secret';

describe('Slack approvals, sessions and robustness', () => {
  let app: TestApp;
  let fx: Awaited<ReturnType<typeof createChatTestApp>>['fx'];
  let slack: FakeSlack;
  let bot: SlackBot;
  let server: RunningHttpServer;
  let events: string;

  const newBot = () =>
    new SlackBot({
      app,
      botToken: 'xoxb-approvals',
      signingSecret: SECRET,
      apiUrl: slack.apiUrl,
      retries: 2,
    });

  beforeAll(async () => {
    ({ app, fx } = await createChatTestApp('slack', CHAT_USERS, {
      chat: { progress_interval: 0, reconcile_every: 0, slack: { approvals_channel: 'CAPPROVALS' } },
    }));
    slack = await new FakeSlack().start();
    bot = newBot();
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

  it('posts approvals created elsewhere (MCP) to the approvals channel and lets approvers decide there', async () => {
    fx.notes.push('mcp-a');
    const r = await app.engine.run({
      principal: app.as('local'),
      channel: 'mcp',
      skill: 'demo.purge',
      input: { prefix: 'mcp-' },
    });
    expect(r.status).toBe('pending_approval');
    const card = await slack.recorder.waitFor(
      (c) => c.method === 'chat.postMessage' && c.args.channel === 'CAPPROVALS',
    );
    expect(slackText(card.args)).toMatch(/Requested by\*\nlocal via mcp/);
    const ts = String(card.response?.ts);
    const approve = slackButtons(card.args)[0];
    await postSigned(
      events,
      buttonPayload({
        user: 'UBOB',
        actionId: approve.actionId,
        value: approve.value,
        messageTs: ts,
        channel: 'CAPPROVALS',
      }).form,
      { secret: SECRET },
    );
    const result = await slack.recorder.waitFor(
      (c) => c.method === 'chat.postMessage' && c.args.thread_ts === ts,
    );
    expect(slackText(result.args)).toMatch(/✅ demo.purge[\s\S]*mcp-a/);
    const updated = slack.recorder.of('chat.update').filter((c) => c.args.ts === ts);
    expect(slackText(updated.at(-1)!.args)).toContain('Approved by bob (slack): executed');
  });

  it('updates cards decided in another process (CLI) on reconcile, and denials show who denied', async () => {
    const ev = mentionEvent({ user: 'UADMIN', text: 'delete the notes matching a prefix prefix=cli-' });
    await postSigned(events, ev, { secret: SECRET });
    const card = await slack.recorder.waitFor(
      (c) =>
        c.method === 'chat.postMessage' &&
        c.args.thread_ts === ev.event.ts &&
        slackText(c.args).includes('Approval needed'),
    );
    await bot.service.idle();
    const id = slackButtons(card.args)[0].value;
    // Decided by another process: this process's engine sees no event; reconcile catches up.
    const other = new (await import('../../src/core/engine.js')).Engine({
      db: app.db,
      config: app.config,
      registry: app.registry,
    });
    await other.decide({ approvalId: id, principal: app.as('carol'), decision: 'deny', channel: 'cli' });
    expect(await bot.service.cards.reconcile()).toBe(1);
    const denied = slack.recorder
      .of('chat.update')
      .filter((c) => c.args.ts === card.response?.ts)
      .at(-1)!;
    expect(slackText(denied.args)).toContain('⛔ Denied by carol (cli)');
    expect(slackButtons(denied.args).map((b) => b.actionId.split(':')[0])).toEqual(['sg_details']);
    expect(await bot.service.cards.reconcile()).toBe(0);
  });

  it('updates the card when its approval expires', async () => {
    const ev = mentionEvent({ user: 'UADMIN', text: 'delete the notes matching a prefix prefix=old-' });
    await postSigned(events, ev, { secret: SECRET });
    const card = await slack.recorder.waitFor(
      (c) =>
        c.method === 'chat.postMessage' &&
        c.args.thread_ts === ev.event.ts &&
        slackText(c.args).includes('Approval needed'),
    );
    await bot.service.idle();
    const id = slackButtons(card.args)[0].value;
    await app.db.query(`UPDATE approvals SET expires_at = now() - interval '1 minute' WHERE id = $1`, [id]);
    const next = slack.recorder.next('chat.update', (c) => c.args.ts === card.response?.ts);
    expect(await app.engine.expireApprovals()).toBe(1);
    expect(slackText((await next).args)).toContain('⌛ Expired');
  });

  it('lists pending approvals privately with their buttons', async () => {
    await app.engine.run({
      principal: app.as('local'),
      channel: 'cli',
      skill: 'demo.purge',
      input: { prefix: 'list-' },
    });
    await postSigned(
      events,
      slashCommandBody({ user: 'UBOB', text: 'approvals', responseUrl: slack.responseUrl('ap') }),
      { secret: SECRET },
    );
    const list = await slack.recorder.waitFor((c) => c.args.id === 'ap');
    expect(slackText(list.args)).toMatch(/demo\.purge · high risk · by local/);
    expect(slackButtons(list.args).some((b) => b.actionId.startsWith('sg_approve'))).toBe(true);
    await postSigned(
      events,
      slashCommandBody({ user: 'UALICE', text: 'approvals', responseUrl: slack.responseUrl('ap2') }),
      { secret: SECRET },
    );
    expect(slackText((await slack.recorder.waitFor((c) => c.args.id === 'ap2')).args)).toContain(
      'No pending approvals',
    );
  });

  it('links chat identities from chat for admins only', async () => {
    await postSigned(
      events,
      slashCommandBody({
        user: 'UALICE',
        text: 'users link <@UNEW|new> carol',
        responseUrl: slack.responseUrl('l1'),
      }),
      { secret: SECRET },
    );
    expect(slackText((await slack.recorder.waitFor((c) => c.args.id === 'l1')).args)).toContain(
      '`policy.denied`',
    );
    await postSigned(
      events,
      slashCommandBody({
        user: 'UADMIN',
        text: 'users link &lt;@UNEW|new&gt; carol',
        responseUrl: slack.responseUrl('l2'),
      }),
      { secret: SECRET },
    );
    expect(slackText((await slack.recorder.waitFor((c) => c.args.id === 'l2')).args)).toContain(
      'Linked slack:UNEW to carol',
    );
    await postSigned(
      events,
      slashCommandBody({ user: 'UNEW', text: 'help', responseUrl: slack.responseUrl('l3') }),
      { secret: SECRET },
    );
    expect(slackText((await slack.recorder.waitFor((c) => c.args.id === 'l3')).args)).toContain(
      'You act as `carol`',
    );
    const audit = await app.db.query<{ actor: string }>(
      `SELECT actor FROM audit_log WHERE action = 'identity.linked'`,
    );
    expect(audit.rows).toEqual([{ actor: 'local' }]);
  });

  it('keeps thread sessions across a restart', async () => {
    const ev = mentionEvent({ user: 'UALICE', text: 'echo hello text=before' });
    await postSigned(events, ev, { secret: SECRET });
    await slack.recorder.waitFor(
      (c) =>
        c.method === 'chat.postMessage' &&
        c.args.thread_ts === ev.event.ts &&
        slackText(c.args).includes('text: before'),
    );
    await bot.stop();
    bot = newBot();
    await bot.start();
    await postSigned(events, threadMessageEvent({ user: 'UALICE', text: 'again', threadTs: ev.event.ts }), {
      secret: SECRET,
    });
    const again = await slack.recorder.waitFor(
      (c) =>
        c.method === 'chat.postMessage' &&
        c.args.thread_ts === ev.event.ts &&
        slackText(c.args).includes('text: before') &&
        slackText(c.args).includes('run_'),
      10_000,
      slack.recorder.calls.length,
    );
    expect(slackText(again.args)).toContain('✅ demo.echo');
  });

  it('honours Web API rate limits: waits Retry-After, then retries', async () => {
    slack.failures.set('chat.postMessage', [{ status: 429, retryAfter: 1 }]);
    const ev = mentionEvent({ user: 'UALICE', text: 'echo hello text=limited' });
    await postSigned(events, ev, { secret: SECRET });
    const limited = await slack.recorder.waitFor((c) => c.method === 'chat.postMessage!429');
    const ok = await slack.recorder.waitFor(
      (c) => c.method === 'chat.postMessage' && c.args.thread_ts === ev.event.ts,
    );
    expect(ok.at - limited.at).toBeGreaterThanOrEqual(950);
    await slack.recorder.waitFor(
      (c) =>
        c.method === 'chat.postMessage' &&
        c.args.thread_ts === ev.event.ts &&
        slackText(c.args).includes('text: limited'),
    );
  });
});
