import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlackBot } from '../../src/bots/slack/slack-bot.js';
import { type RunningHttpServer, startHttpServer } from '../../src/server/start-http-server.js';
import {
  approvalAudit,
  auditActions,
  CHAT_USERS,
  createChatTestApp,
  slackButtons,
  slackText,
  type TestApp,
} from './chat-harness.js';
import {
  buttonPayload,
  FakeSlack,
  mentionEvent,
  postSigned,
  slashCommandBody,
  threadMessageEvent,
} from './fakes/fake-slack.js';

const SECRET = 'test-signing-secret';

describe('Slack over HTTP', () => {
  let app: TestApp;
  let fx: Awaited<ReturnType<typeof createChatTestApp>>['fx'];
  let slack: FakeSlack;
  let bot: SlackBot;
  let server: RunningHttpServer;
  let events: string;

  const runCount = async (skill: string) =>
    (
      await app.db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM runs WHERE skill_id = $1 AND parent_run_id IS NULL',
        [skill],
      )
    ).rows[0].n;

  const click = (user: string, actionId: string, value: string, messageTs: string, threadTs?: string) =>
    postSigned(events, buttonPayload({ user, actionId, value, messageTs, threadTs }).form, {
      secret: SECRET,
    });

  beforeAll(async () => {
    ({ app, fx } = await createChatTestApp('slack', CHAT_USERS, {
      chat: { progress_interval: 0, reconcile_every: 0, slack: { approvals_channel: 'CAPPROVALS' } },
    }));
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

  it('refuses a bad signature and a stale timestamp with 401, and runs nothing', async () => {
    const before = slack.recorder.calls.length;
    const bad = await postSigned(events, mentionEvent({ user: 'UADMIN', text: 'echo text=x' }), {
      secret: SECRET,
      tamper: true,
    });
    expect(bad.status).toBe(401);
    const wrongSecret = await postSigned(events, mentionEvent({ user: 'UADMIN', text: 'echo text=x' }), {
      secret: 'other',
    });
    expect(wrongSecret.status).toBe(401);
    const old = await postSigned(events, mentionEvent({ user: 'UADMIN', text: 'echo text=x' }), {
      secret: SECRET,
      ts: Math.floor(Date.now() / 1000) - 6 * 60,
    });
    expect(old.status).toBe(401);
    expect((await bad.json()) as object).toEqual({
      error: expect.objectContaining({ code: 'auth.unauthorized' }),
    });
    expect(slack.recorder.calls.length).toBe(before);
    expect(await runCount('demo.echo')).toBe(0);
  });

  it('answers url_verification with the challenge', async () => {
    const res = await postSigned(
      events,
      { type: 'url_verification', challenge: 'abc', token: 'x' },
      { secret: SECRET },
    );
    expect(await res.json()).toEqual({ challenge: 'abc' });
  });

  it('answers /skillgate help privately through the response URL, within the deadline', async () => {
    const started = performance.now();
    const res = await postSigned(
      events,
      slashCommandBody({ user: 'UALICE', text: 'help', responseUrl: slack.responseUrl('h1') }),
      { secret: SECRET },
    );
    expect(res.status).toBe(200);
    expect(performance.now() - started).toBeLessThan(3000);
    const reply = await slack.recorder.waitFor((c) => c.method === 'response_url' && c.args.id === 'h1');
    expect(reply.args.response_type).toBe('ephemeral');
    expect(slackText(reply.args)).toContain('You act as `alice`');
  });

  it('lists skills and matches a query through the router', async () => {
    await postSigned(
      events,
      slashCommandBody({ user: 'UVIC', text: 'skills', responseUrl: slack.responseUrl('s1') }),
      { secret: SECRET },
    );
    const all = await slack.recorder.waitFor((c) => c.args.id === 's1');
    expect(slackText(all.args)).toContain('demo.purge');
    await postSigned(
      events,
      slashCommandBody({
        user: 'UVIC',
        text: 'skills delete notes prefix',
        responseUrl: slack.responseUrl('s2'),
      }),
      { secret: SECRET },
    );
    const q = await slack.recorder.waitFor((c) => c.args.id === 's2');
    expect(slackText(q.args)).toMatch(/Skills matching "delete notes prefix"[\s\S]*demo\.purge/);
  });

  it('runs /skillgate run with key=value arguments: status message, then the result in its thread', async () => {
    const from = slack.recorder.calls.length;
    await postSigned(
      events,
      slashCommandBody({
        user: 'UALICE',
        text: 'run demo.echo text="two words" n=3',
        responseUrl: slack.responseUrl('r1'),
      }),
      { secret: SECRET },
    );
    const status = await slack.recorder.waitFor(
      (c) => c.method === 'chat.postMessage' && !c.args.thread_ts,
      10_000,
      from,
    );
    const result = await slack.recorder.waitFor(
      (c) => c.method === 'chat.postMessage' && c.args.thread_ts !== undefined,
      10_000,
      from,
    );
    expect(status.args.channel).toBe('C1');
    expect(result.args.thread_ts).toBeDefined();
    expect(slackText(result.args)).toMatch(/text: two words\nn: 3/);
    // Named skills carry no routing feedback buttons.
    expect(slackButtons(result.args)).toEqual([]);
  });

  it('shows errors as a short private message with the code and what to do, never a stack', async () => {
    await postSigned(
      events,
      slashCommandBody({
        user: 'UALICE',
        text: 'run demo.echo n=notanumber',
        responseUrl: slack.responseUrl('e1'),
      }),
      { secret: SECRET },
    );
    const status = await slack.recorder.waitFor(
      (c) => c.method === 'chat.postMessage' && slackText(c.args).includes('skill.input_invalid'),
    );
    expect(slackText(status.args)).toContain('What to do:');
    expect(slackText(status.args)).not.toMatch(/at .*\.ts:\d+/);
    await postSigned(
      events,
      slashCommandBody({ user: 'UALICE', text: 'status run_nope', responseUrl: slack.responseUrl('e2') }),
      { secret: SECRET },
    );
    const nf = await slack.recorder.waitFor((c) => c.args.id === 'e2');
    expect(slackText(nf.args)).toContain('`run.not_found`');
    expect(nf.args.response_type).toBe('ephemeral');
  });

  it('tells the user to invite the app when it is not in the channel', async () => {
    slack.notIn.add('CNOBOT');
    await postSigned(
      events,
      slashCommandBody({
        user: 'UALICE',
        text: 'run demo.echo text=x',
        channel: 'CNOBOT',
        responseUrl: slack.responseUrl('ni'),
      }),
      { secret: SECRET },
    );
    const reply = await slack.recorder.waitFor((c) => c.args.id === 'ni');
    expect(slackText(reply.args)).toMatch(
      /`request.invalid` Skillgate is not a member of this channel: invite it/,
    );
  });

  it('refuses unknown users privately (unknown_principal: none)', async () => {
    await postSigned(
      events,
      slashCommandBody({ user: 'UNOBODY', text: 'skills', responseUrl: slack.responseUrl('u1') }),
      { secret: SECRET },
    );
    const reply = await slack.recorder.waitFor((c) => c.args.id === 'u1');
    expect(slackText(reply.args)).toContain('auth.unknown_principal');
  });

  it('answers a mention in a thread through the agent loop, citing the step that produced the answer', async () => {
    const ev = mentionEvent({ user: 'UALICE', text: 'echo hello text=hi' });
    const res = await postSigned(events, ev, { secret: SECRET });
    expect(res.status).toBe(200);
    const status = await slack.recorder.waitFor(
      (c) => c.method === 'chat.postMessage' && c.args.thread_ts === ev.event.ts,
    );
    expect(slackText(status.args)).toContain('⏳ echo hello text=hi');
    const result = await slack.recorder.waitFor(
      (c) =>
        c.method === 'chat.postMessage' &&
        c.args.thread_ts === ev.event.ts &&
        slackText(c.args).includes('✅ demo.echo'),
    );
    const text = slackText(result.args);
    expect(text).toContain('text: hi');
    expect(text).toMatch(/\[s1: demo\.echo\]/);
    expect(text).toMatch(/agent run agt_/);
    // The answer carries the routing feedback buttons for the agent run (see slack-feedback.test.ts).
    const agentRun = /agent run (agt_\w+)/.exec(text)?.[1];
    expect(slackButtons(result.args).map((b) => [b.actionId.split(':')[0], b.value])).toEqual([
      ['sg_fb_up', agentRun],
      ['sg_fb_wrong', agentRun],
    ]);
  });

  it('handles a retried event (X-Slack-Retry-Num) once', async () => {
    const ev = mentionEvent({ user: 'UALICE', text: 'write a note note=retry-once' });
    const first = await postSigned(events, ev, { secret: SECRET });
    const again = await postSigned(events, ev, {
      secret: SECRET,
      headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' },
    });
    expect([first.status, again.status]).toEqual([200, 200]);
    await slack.recorder.waitFor(
      (c) =>
        c.method === 'chat.postMessage' &&
        c.args.thread_ts === ev.event.ts &&
        slackText(c.args).includes('demo.write'),
    );
    await bot.service.idle();
    expect(fx.notes.filter((n) => n === 'retry-once')).toHaveLength(1);
    expect(
      slack.recorder
        .of('chat.postMessage')
        .filter((c) => c.args.thread_ts === ev.event.ts && !slackText(c.args).startsWith('⏳')),
    ).toHaveLength(1);
  });

  it('keeps a thread as a session: a follow-up with key=value re-runs the last skill with changes', async () => {
    const ev = mentionEvent({ user: 'UALICE', text: 'echo hello text=first' });
    await postSigned(events, ev, { secret: SECRET });
    await slack.recorder.waitFor(
      (c) =>
        c.method === 'chat.postMessage' &&
        c.args.thread_ts === ev.event.ts &&
        slackText(c.args).includes('text: first'),
    );
    const from = slack.recorder.calls.length;
    await postSigned(
      events,
      threadMessageEvent({ user: 'UALICE', text: 'text=second', threadTs: ev.event.ts }),
      { secret: SECRET },
    );
    const follow = await slack.recorder.waitFor(
      (c) =>
        c.method === 'chat.postMessage' &&
        c.args.thread_ts === ev.event.ts &&
        slackText(c.args).includes('text: second'),
      10_000,
      from,
    );
    expect(slackText(follow.args)).toContain('demo.echo');
    await bot.service.idle();
    const s = await app.db.query<{ context: { turns: { skill: string; input: { text: string } }[] } }>(
      `SELECT context FROM chat_sessions WHERE platform = 'slack' AND thread_id = $1`,
      [ev.event.ts],
    );
    expect(s.rows[0].context.turns.map((t) => t.input.text)).toEqual(['first', 'second']);
  });

  it('end to end: a mention asks for a high-risk action, the requester cannot approve it, an approver runs it', async () => {
    const ev = mentionEvent({ user: 'UADMIN', text: 'delete the notes matching a prefix prefix=tmp' });
    fx.notes.push('tmp-1', 'tmp-2', 'keep');
    await postSigned(events, ev, { secret: SECRET });
    const card = await slack.recorder.waitFor(
      (c) =>
        c.method === 'chat.postMessage' &&
        c.args.thread_ts === ev.event.ts &&
        slackText(c.args).includes('Approval needed'),
    );
    const text = slackText(card.args);
    expect(text).toContain('demo.purge');
    expect(text).toMatch(/Requested by\*\nlocal via agent/);
    expect(text).toContain('🔴 high');
    expect(text).toMatch(/would_delete:\n {2}- tmp-1\n {2}- tmp-2/);
    expect(text).toMatch(/Expires\*\n\d{4}-\d\d-\d\d \d\d:\d\d UTC \(in 24 h\)/);
    const buttons = slackButtons(card.args);
    expect(buttons.map((b) => b.actionId.split(':')[0])).toEqual(['sg_approve', 'sg_deny', 'sg_details']);
    const approvalId = buttons[0].value;
    const ts = String(card.response?.ts);

    // The requester's own click is refused privately.
    await click('UADMIN', buttons[0].actionId, approvalId, ts, ev.event.ts);
    const self = await slack.recorder.waitFor(
      (c) =>
        c.method === 'chat.postEphemeral' &&
        c.args.user === 'UADMIN' &&
        slackText(c.args).includes('approval.self_approval'),
    );
    expect(slackText(self.args)).toContain('someone else must approve');
    // A non-approver is refused privately too.
    await click('UALICE', buttons[0].actionId, approvalId, ts, ev.event.ts);
    await slack.recorder.waitFor(
      (c) =>
        c.method === 'chat.postEphemeral' &&
        c.args.user === 'UALICE' &&
        slackText(c.args).includes('approval.not_approver'),
    );
    expect(fx.calls.purge ?? 0).toBe(0);

    // Details open a modal with the exact input.
    await click('UBOB', buttons[2].actionId, approvalId, ts, ev.event.ts);
    const modal = await slack.recorder.waitFor((c) => c.method === 'views.open');
    expect(JSON.stringify(modal.args.view)).toContain('prefix: tmp');

    // An approver's click runs it; the card shows who decided; the result lands in the thread.
    await click('UBOB', buttons[0].actionId, approvalId, ts, ev.event.ts);
    const updated = await slack.recorder.waitFor(
      (c) => c.method === 'chat.update' && c.args.ts === ts && slackText(c.args).includes('executed'),
    );
    expect(slackText(updated.args)).toContain('Approved by bob (slack)');
    expect(slackButtons(updated.args).map((b) => b.actionId.split(':')[0])).toEqual(['sg_details']);
    const result = await slack.recorder.waitFor(
      (c) =>
        c.method === 'chat.postMessage' &&
        c.args.thread_ts === ev.event.ts &&
        slackText(c.args).includes('✅ demo.purge'),
    );
    expect(slackText(result.args)).toMatch(/deleted:\n {2}- tmp-1\n {2}- tmp-2/);
    // A second click (double click, duplicate delivery) runs nothing again.
    await click('UCAROL', buttons[0].actionId, approvalId, ts, ev.event.ts);
    await slack.recorder.waitFor(
      (c) =>
        c.method === 'chat.postEphemeral' &&
        c.args.user === 'UCAROL' &&
        slackText(c.args).includes('approval.not_pending'),
    );
    expect(fx.calls.purge).toBe(1);

    await bot.service.idle();
    const runId = (
      await app.db.query<{ run_id: string }>('SELECT run_id FROM approvals WHERE id = $1', [approvalId])
    ).rows[0].run_id;
    expect(await auditActions(app, runId)).toEqual([
      { action: 'approval.requested', actor: 'local' },
      { action: 'approval.approved', actor: 'bob' },
      { action: 'run.succeeded', actor: 'local' },
    ]);
    expect((await approvalAudit(app, approvalId)).map((a) => `${a.action}:${a.actor}`)).toEqual([
      'approval.requested:local',
      'approval.decision_refused:local',
      'approval.decision_refused:alice',
      'approval.approved:bob',
      'run.succeeded:local',
      'approval.decision_refused:carol',
    ]);
  });

  it('answers a question in a mention offline through the agent loop, with the cited step and its engine run', async () => {
    const ev = mentionEvent({ user: 'UALICE', text: 'which text does echo return? text=overdue-42' });
    await postSigned(events, ev, { secret: SECRET });
    const answer = await slack.recorder.waitFor(
      (c) =>
        c.method === 'chat.postMessage' &&
        c.args.thread_ts === ev.event.ts &&
        slackText(c.args).includes('✅ demo.echo'),
    );
    const text = slackText(answer.args);
    expect(text).toContain('text: overdue-42');
    expect(text).toMatch(/\[s1: demo\.echo\]/);
    const agentRun = /agent run (agt_\w+) · offline/.exec(text)?.[1];
    expect(agentRun).toBeDefined();
    const runs = await app.db.query<{ status: string; channel: string; request_id: string }>(
      `SELECT status, channel, request_id FROM runs WHERE request_id = $1 AND skill_id = 'demo.echo'`,
      [agentRun],
    );
    expect(runs.rows).toEqual([{ status: 'succeeded', channel: 'agent', request_id: agentRun }]);
  });

  it('posts the card for an agent step that needs approval and, after an approver clicks, the agent answer in the thread', async () => {
    fx.notes.push('agt-1', 'agt-2', 'stay');
    const purgesBefore = fx.calls.purge ?? 0;
    const ev = mentionEvent({ user: 'UADMIN', text: 'delete the notes matching a prefix prefix=agt-' });
    await postSigned(events, ev, { secret: SECRET });
    const waiting = await slack.recorder.waitFor(
      (c) =>
        c.method === 'chat.postMessage' &&
        c.args.thread_ts === ev.event.ts &&
        slackText(c.args).includes('Waiting for approval'),
    );
    const agentRun = /agent run (agt_\w+)/.exec(slackText(waiting.args))?.[1];
    const card = await slack.recorder.waitFor(
      (c) =>
        c.method === 'chat.postMessage' &&
        c.args.thread_ts === ev.event.ts &&
        slackText(c.args).includes('Approval needed'),
    );
    const [approve] = slackButtons(card.args);
    expect(slackText(waiting.args)).toContain(`step s1 (demo.purge) waits for approval ${approve.value}`);
    expect(fx.calls.purge ?? 0).toBe(purgesBefore);
    await click('UBOB', approve.actionId, approve.value, String(card.response?.ts), ev.event.ts);
    const final = await slack.recorder.waitFor(
      (c) =>
        c.method === 'chat.postMessage' &&
        c.args.thread_ts === ev.event.ts &&
        slackText(c.args).includes(`agent run ${agentRun}`) &&
        slackText(c.args).includes('✅ demo.purge'),
    );
    expect(slackText(final.args)).toMatch(/\[s1: demo\.purge\]/);
    expect(fx.notes).toContain('stay');
    expect(fx.notes.filter((n) => n.startsWith('agt-'))).toEqual([]);
    const row = await app.db.query<{ status: string }>('SELECT status FROM agent_runs WHERE id = $1', [
      agentRun,
    ]);
    expect(row.rows).toEqual([{ status: 'succeeded' }]);
  });
});
