import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getEvents } from '../../src/core/records/run-store.js';
import { HashEmbedder } from '../../src/memory/embedders/hash-embedder.js';
import { feedbackForRun } from '../../src/memory/routing/routing-feedback.js';
import { SkillIndex } from '../../src/memory/routing/skill-index.js';
import { createTestApp } from '../helpers/test-app.js';

type App = Awaited<ReturnType<typeof createTestApp>>;

describe('skill routing on the shipped catalogue', () => {
  let app: App;
  beforeAll(async () => {
    app = await createTestApp();
  });
  afterAll(() => app.close());

  const route = (q: string) => app.engine.router!.route(q, { principal: app.as('local') });

  it('routes clear requests to their skill with ranked alternatives', async () => {
    const r = await route('which invoices are overdue for ACME?');
    expect(r.skill).toBe('invoices.list_overdue');
    expect(r.confidence).toBeGreaterThan(0.5);
    expect(r.candidates.length).toBeGreaterThan(1);
    expect(r.candidates[0].signals).toHaveProperty('example');
    expect(r.candidates[0].score).toBeGreaterThanOrEqual(r.candidates[1].score);
  });

  it('answers "no skill" for out-of-scope requests, with the closest suggestions', async () => {
    const r = await route('what is the boiling point of mercury in kelvin');
    expect(r.skill).toBeNull();
    expect(r.confidence).toBeLessThan(0.5);
    expect(r.candidates.length).toBeGreaterThan(0);
  });

  it('re-indexes every skill when the embedder keeps its name but changes dimensions', async () => {
    const skills = app.registry.list();
    const same = await new SkillIndex(app.db, new HashEmbedder()).sync(skills);
    expect(same.indexed).toEqual([]);
    const resized = new SkillIndex(app.db, new HashEmbedder({ dimensions: 256 }));
    const r = await resized.sync(skills);
    expect(r.indexed.length).toBeGreaterThan(10);
    const dims = await app.db.query<{ dims: number }>('SELECT DISTINCT dims FROM skill_index');
    expect(dims.rows).toEqual([{ dims: 256 }]);
    expect((await new SkillIndex(app.db, new HashEmbedder()).sync(skills)).indexed).toEqual(r.indexed);
  });

  it('routes inside the engine and records routing_candidates and routing_decision', async () => {
    const r = await app.engine.run({
      principal: app.as('local'),
      channel: 'test',
      query: 'list overdue invoices',
    });
    expect(r.skill).toBe('invoices.list_overdue');
    const events = await getEvents(app.db, r.runId);
    const decision = events.find((e) => e.type === 'routing_decision');
    expect(decision?.data).toMatchObject({ skill: 'invoices.list_overdue' });
    expect(events.find((e) => e.type === 'routing_candidates')?.data.candidates).toBeInstanceOf(Array);
  });

  it('a correction makes the corrected query and close paraphrases route to the expected skill', async () => {
    const q = 'give me the rundown on acme';
    const before = await route(q);
    const run = await app.engine.run({
      principal: app.as('local'),
      channel: 'test',
      query: q,
      mode: 'dry_run',
    });
    expect(before.skill).not.toBe('crm.find_customer');
    await feedbackForRun(app.db, app.embedder, {
      runId: run.runId,
      principal: app.as('local'),
      verdict: 'wrong',
      expectedSkill: 'crm.find_customer',
    });
    expect((await route(q)).skill).toBe('crm.find_customer');
    expect((await route('give me the rundown on acme please')).skill).toBe('crm.find_customer');
    // Feedback is per tenant: another tenant's routing is unchanged.
    const other = await app.engine.router!.route(q, { principal: app.as('eve') });
    expect(other.skill).toBe(before.skill);
  });

  it('demotes a skill that is rejected again and again', async () => {
    const q = 'show me what happened recently';
    const first = await route(q);
    expect(first.skill).not.toBeNull();
    const demoted = first.skill!;
    const baseline = first.candidates.find((c) => c.skill === demoted)!.signals.feedback;
    for (let i = 0; i < 3; i++) {
      const run = await app.engine.run({
        principal: app.as('local'),
        channel: 'test',
        query: q,
        mode: 'dry_run',
      });
      await feedbackForRun(app.db, app.embedder, {
        runId: run.runId,
        principal: app.as('local'),
        verdict: 'down',
      });
    }
    const after = await route(q);
    const fb = after.candidates.find((c) => c.skill === demoted)?.signals.feedback ?? -1;
    expect(fb).toBeLessThan(baseline);
    expect(after.skill === demoted ? after.confidence < first.confidence : true).toBe(true);
  });

  it('keeps the index in step with hot reload', async () => {
    const dir = join(app.config.home, 'extra-skills');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(dir, 'weather'), { recursive: true });
    const file = join(dir, 'weather', 'forecast.yaml');
    writeFileSync(
      file,
      `id: weather.forecast
version: 1.0.0
title: Weather forecast
description: Tells the weather forecast for a city, with temperature and chance of rain.
tags: [weather, forecast]
examples: ["what's the weather in Paris tomorrow", "will it rain in Berlin", "forecast for London this weekend"]
effects: read
risk: low
handler: { type: sql, statements: [{ sql: "select 'sunny' as sky" }] }
`,
    );
    const change = app.registry.applyFiles([file]);
    expect(change.added).toEqual(['weather.forecast']);
    await app.skillIndex.sync(app.registry.list());
    expect((await route('will it rain in Madrid tomorrow?')).skill).toBe('weather.forecast');
    rmSync(file);
    app.registry.applyFiles([], [file]);
    await app.skillIndex.sync(app.registry.list());
    expect((await route('will it rain in Madrid tomorrow?')).skill).not.toBe('weather.forecast');
  });

  it('finds a skill that has no example utterances by its description', async () => {
    const dir = join(app.config.home, 'extra-skills', 'harbour');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'tides.yaml');
    writeFileSync(
      file,
      `id: harbour.tide_tables
version: 1.0.0
title: Tide tables
description: High and low tide times and water heights for a harbour on a given day.
tags: [harbour, tides]
effects: read
risk: low
handler: { type: sql, statements: [{ sql: "select '06:12' as high_tide" }] }
`,
    );
    try {
      expect(app.registry.applyFiles([file]).added).toEqual(['harbour.tide_tables']);
      await app.skillIndex.sync(app.registry.list());
      const r = await route('when is high tide in the harbour today?');
      expect(r.skill).toBe('harbour.tide_tables');
      expect(r.candidates[0].signals.vector).toBeGreaterThan(0.2);
    } finally {
      rmSync(file);
      app.registry.applyFiles([], [file]);
      await app.skillIndex.sync(app.registry.list());
    }
  });
});
