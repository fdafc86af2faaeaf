import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failedRoutingGates } from '../../src/cli/commands/routing-commands.js';
import { evaluateRouting, parseRoutingCases } from '../../src/memory/routing/routing-eval.js';
import { createTestApp } from '../helpers/test-app.js';

const EVALS = join(import.meta.dirname, '..', '..', 'evals', 'routing');

/** The CI gate of the routing issue: on the dev set (and on ours), the shipped catalogue must route well. */
describe('routing golden sets (CI gate)', () => {
  let app: Awaited<ReturnType<typeof createTestApp>>;
  beforeAll(async () => {
    app = await createTestApp();
  });
  afterAll(() => app.close());

  it.each(['dev.jsonl', 'golden.jsonl'])(
    '%s passes top-1, top-3, no-skill and false-rejection gates',
    async (file) => {
      const cases = parseRoutingCases(readFileSync(join(EVALS, file), 'utf8'));
      const missing = cases.filter((c) => c.expected && !app.registry.get(c.expected)).map((c) => c.expected);
      expect(missing).toEqual([]);
      const report = await evaluateRouting(app.engine.router!, cases, app.as('local'));
      const misses = report.results.filter((r) => r.predicted !== r.expected);
      expect({
        failed: failedRoutingGates(report),
        misses: misses.length > 8 ? misses.length : misses,
      }).toMatchObject({
        failed: [],
      });
      expect(report.brier).toBeLessThan(0.1);
    },
  );
});

describe('routing golden sets stay honest', () => {
  it('no eval query is copied into a skill example (the router is measured on unseen queries)', async () => {
    const { createSkillRegistry } = await import('../../src/core/app.js');
    const { loadConfig } = await import('../../src/core/config/load-config.js');
    const registry = createSkillRegistry(loadConfig({ env: {}, cwd: '/tmp' }).config);
    registry.loadAll();
    const norm = (t: string) =>
      t
        .toLowerCase()
        .replace(/[^a-z0-9 ]/g, '')
        .trim();
    const examples = new Set(registry.list().flatMap((s) => s.spec.examples.map(norm)));
    for (const file of ['dev.jsonl', 'golden.jsonl']) {
      const copied = parseRoutingCases(readFileSync(join(EVALS, file), 'utf8')).filter((c) =>
        examples.has(norm(c.query)),
      );
      expect(copied.map((c) => c.query)).toEqual([]);
    }
  });
});
