/**
 * Chat latency on loopback, with the real Bolt and discord.js against the fakes of `test/bots/fakes`:
 * - Slack: a signed HTTP request (slash command, app_mention) -> our first reply reaching the fake
 *   (response URL / chat.postMessage);
 * - Discord: INTERACTION_CREATE on the gateway -> the interaction callback (ack) and the first
 *   content (the edited reply);
 * - both: an approval click -> the approved run starting (the engine's `execution_started`).
 * Aim: first reply p95 <= 100 ms for commands that need no model; click -> run start p95 <= 200 ms.
 *
 *   npm run bench:chat                   # BENCH_RUNS=150 BENCH_WARMUP=20 by default
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiscordBot } from '../src/bots/discord/discord-bot.js';
import { SlackBot } from '../src/bots/slack/slack-bot.js';
import { linkIdentity } from '../src/bots/store/identity-store.js';
import { createApp, type SkillgateApp } from '../src/core/app.js';
import { loadConfig } from '../src/core/config/load-config.js';
import type { EngineEvent } from '../src/core/events.js';
import { silentLogger } from '../src/core/logger.js';
import { resolvePrincipal } from '../src/core/principals.js';
import { PgliteDb } from '../src/db/pglite-db.js';
import { startHttpServer } from '../src/server/start-http-server.js';
import { mergeBuiltins } from '../src/tools/builtins/builtin-registry.js';
import type { HandlerContext } from '../src/tools/handler.js';
import {
  APP_ID,
  buttonInteraction,
  CHANNEL,
  commandInteraction,
  discordUser,
  FakeDiscord,
  GUILD,
} from '../test/bots/fakes/fake-discord.js';
import {
  buttonPayload,
  FakeSlack,
  mentionEvent,
  postSigned,
  slashCommandBody,
} from '../test/bots/fakes/fake-slack.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 150);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 20);
const SECRET = 'bench-signing-secret';

const SKILLS = {
  'echo.yaml': `id: bench.echo
version: 1.0.0
title: Echo
description: Returns its input text.
examples: ["echo something back"]
input: { type: object, properties: { text: { type: string } }, required: [text] }
effects: read
risk: low
handler: { type: builtin, name: bench.echo }
`,
  'purge.yaml': `id: bench.purge
version: 1.0.0
title: Purge
description: Pretends to delete things (high risk, needs approval).
input: { type: object, properties: { n: { type: integer } }, required: [n] }
effects: delete
risk: high
handler: { type: builtin, name: bench.purge }
`,
};

const builtins = mergeBuiltins({
  'bench.echo': { run: async (ctx: HandlerContext) => ({ output: { text: ctx.input.text } }) },
  'bench.purge': {
    run: async (ctx: HandlerContext) => ({ output: { deleted: ctx.input.n } }),
    preview: async (ctx: HandlerContext) => ({ would_delete: ctx.input.n }),
  },
});

function stats(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  return { p50: at(0.5), p95: at(0.95), max: s[s.length - 1] };
}

const rows: { what: string; p50: number; p95: number; max: number; aim?: number }[] = [];

async function series(what: string, aim: number | undefined, once: (i: number) => Promise<number>) {
  const xs: number[] = [];
  for (let i = 0; i < WARMUP + RUNS; i++) {
    const ms = await once(i);
    if (i >= WARMUP) xs.push(ms);
  }
  const s = stats(xs);
  rows.push({ what, ...s, aim });
  console.error(`  ${what}: p50 ${s.p50.toFixed(1)} ms, p95 ${s.p95.toFixed(1)} ms`);
}

/** Resolves when the engine starts executing `runId`'s approved run. */
function runStart(app: SkillgateApp, runId: () => string): Promise<number> {
  return new Promise((resolve) => {
    const on = (e: EngineEvent) => {
      if (e.type === 'execution_started' && e.runId === runId()) {
        app.engine.off('event', on);
        resolve(performance.now());
      }
    };
    app.engine.on('event', on);
  });
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'skillgate-chat-bench-'));
  const skills = join(dir, 'skills', 'bench');
  mkdirSync(skills, { recursive: true });
  for (const [f, text] of Object.entries(SKILLS)) writeFileSync(join(skills, f), text);
  console.error('opening an in-memory PGlite (a few seconds)...');
  const db = await PgliteDb.open();
  const { config } = loadConfig({
    env: {},
    cwd: dir,
    overrides: {
      home: join(dir, 'home'),
      log_level: 'silent',
      principals: { local: { roles: ['admin'] }, bob: { roles: ['approver'] } },
      chat: { progress_interval: 0, reconcile_every: 0 },
    },
  });
  const app = await createApp({
    config,
    db,
    skillDirs: [join(dir, 'skills')],
    builtins,
    seed: false,
    logger: silentLogger,
  });
  const slack = await new FakeSlack().start();
  const discord = await new FakeDiscord().start();
  const ADMIN = discordUser('300000000000000001', 'admin');
  const BOB = discordUser('300000000000000003', 'bob');
  for (const [platform, user, principal] of [
    ['slack', 'UADMIN', 'local'],
    ['slack', 'UBOB', 'bob'],
    ['discord', ADMIN.id, 'local'],
    ['discord', BOB.id, 'bob'],
  ] as const) {
    await linkIdentity(db, config, {
      user: { platform, userId: user },
      principalId: principal,
      linkedBy: 'bench',
    });
  }
  const slackBot = new SlackBot({
    app,
    botToken: 'xoxb-bench',
    signingSecret: SECRET,
    apiUrl: slack.apiUrl,
    retries: 0,
  });
  const server = await startHttpServer(app, {
    port: 0,
    mounts: [(hono) => void hono.post('/slack/events', (c) => slackBot.receiver!.handle(c))],
  });
  const discordBot = new DiscordBot({
    app,
    token: 'bench',
    applicationId: APP_ID,
    apiUrl: discord.apiUrl,
    guildId: GUILD,
    retries: 0,
  });
  await Promise.all([slackBot.start(), discordBot.start()]);
  const events = `${server.url}/slack/events`;
  const admin = resolvePrincipal(config, 'local');
  console.error(`measuring ${RUNS} runs after ${WARMUP} warm-up runs each`);

  try {
    await series('Slack /skillgate help -> response_url', 100, async (i) => {
      const t = performance.now();
      const next = slack.recorder.next('response_url', (c) => c.args.id === `h${i}`);
      await postSigned(
        events,
        slashCommandBody({ user: 'UBOB', text: 'help', responseUrl: slack.responseUrl(`h${i}`) }),
        { secret: SECRET },
      );
      return (await next).at - t;
    });
    await series('Slack /skillgate run bench.echo -> first chat.postMessage', 100, async (i) => {
      const t = performance.now();
      const next = slack.recorder.next('chat.postMessage', (c) => c.args.channel === `CR${i}`);
      await postSigned(
        events,
        slashCommandBody({
          user: 'UBOB',
          text: `run bench.echo text=${i}`,
          channel: `CR${i}`,
          responseUrl: slack.responseUrl(`r${i}`),
        }),
        { secret: SECRET },
      );
      const ms = (await next).at - t;
      await slackBot.service.idle();
      return ms;
    });
    await series('Slack app_mention -> first chat.postMessage (thread status)', 100, async (i) => {
      const ev = mentionEvent({ user: 'UBOB', text: `echo something back text=${i}` });
      const t = performance.now();
      const next = slack.recorder.next('chat.postMessage', (c) => c.args.thread_ts === ev.event.ts);
      await postSigned(events, ev, { secret: SECRET });
      const ms = (await next).at - t;
      await slackBot.service.idle();
      return ms;
    });
    await series('Slack approval click -> run start', 200, async (i) => {
      const r = await app.engine.run({
        principal: admin,
        channel: 'bench',
        skill: 'bench.purge',
        input: { n: i },
      });
      const click = buttonPayload({
        user: 'UBOB',
        actionId: 'sg_approve:0',
        value: r.approval!.id,
        messageTs: '1.1',
      });
      const started = runStart(app, () => r.runId);
      const t = performance.now();
      await postSigned(events, click.form, { secret: SECRET });
      const ms = (await started) - t;
      await slackBot.service.idle();
      return ms;
    });
    await series('Discord /skillgate help -> interaction callback (ack)', 100, async () => {
      const i = commandInteraction(discord, BOB, 'help');
      const next = discord.recorder.next(`POST /interactions/${i.id}/${i.token}/callback`);
      const t = performance.now();
      discord.dispatch('INTERACTION_CREATE', i);
      const ms = (await next).at - t;
      await discordBot.service.idle();
      return ms;
    });
    await series('Discord /skillgate help -> first content (edited reply)', 100, async () => {
      const i = commandInteraction(discord, BOB, 'help');
      const next = discord.recorder.next(`PATCH /webhooks/${APP_ID}/${i.token}/messages/@original`);
      const t = performance.now();
      discord.dispatch('INTERACTION_CREATE', i);
      const ms = (await next).at - t;
      await discordBot.service.idle();
      return ms;
    });
    await series('Discord approval click -> run start', 200, async (n) => {
      const r = await app.engine.run({
        principal: admin,
        channel: 'bench',
        skill: 'bench.purge',
        input: { n: 100_000 + n },
      });
      const i = buttonInteraction(discord, BOB, `sg_approve:${r.approval!.id}`, {
        id: '400000000000000001',
        channel_id: CHANNEL,
      });
      const started = runStart(app, () => r.runId);
      const t = performance.now();
      discord.dispatch('INTERACTION_CREATE', i);
      const ms = (await started) - t;
      await discordBot.service.idle();
      return ms;
    });
  } finally {
    await Promise.all([slackBot.stop(), discordBot.stop()]);
    await server.close();
    await slack.stop();
    await discord.stop();
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const width = Math.max(...rows.map((r) => r.what.length));
  console.log(`\nchat latency on loopback (${RUNS} runs each, ms)`);
  console.log(
    `${'measure'.padEnd(width)}  ${'p50'.padStart(7)}  ${'p95'.padStart(7)}  ${'max'.padStart(7)}  aim p95`,
  );
  for (const r of rows) {
    const ok = r.aim === undefined ? '' : r.p95 <= r.aim ? `<= ${r.aim} ok` : `<= ${r.aim} MISSED`;
    console.log(
      `${r.what.padEnd(width)}  ${r.p50.toFixed(1).padStart(7)}  ${r.p95.toFixed(1).padStart(7)}  ${r.max.toFixed(1).padStart(7)}  ${ok}`,
    );
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
