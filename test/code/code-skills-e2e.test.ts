import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SkillgateApp } from '../../src/core/app.js';
import type { Principal } from '../../src/core/principal.js';
import { createTestApp } from '../helpers/test-app.js';

type App = SkillgateApp & { as(id: string): Principal };
const GCD = readFileSync(join(import.meta.dirname, 'fixtures', 'gcd.spec.yaml'), 'utf8');

describe('code.* skills through the engine', () => {
  let app: App;
  beforeAll(async () => {
    app = await createTestApp();
  }, 60_000);
  afterAll(async () => {
    await app.close();
  });

  const run = (who: string, skill: string, input: Record<string, unknown>) =>
    app.engine.run({ principal: app.as(who), channel: 'cli', skill, input });

  it('loads the four code skills with their catalogue effects and risk', () => {
    const spec = (id: string) => app.registry.require(id).skill.spec;
    expect([
      spec('code.canonicalize').risk,
      spec('code.check_restrictions').risk,
      spec('code.repeatability').risk,
      spec('code.compile').risk,
    ]).toEqual(['low', 'low', 'medium', 'high']);
    expect(spec('code.compile').effects).toBe('external');
    expect(app.registry.problems().filter((p) => p.file.includes('/code/'))).toEqual([]);
  });

  it('canonicalizes code for an operator without approval', async () => {
    const a = await run('alice', 'code.canonicalize', {
      code: 'def f(x):\n  return x+1 # c\n',
      language: 'py',
    });
    const b = await run('alice', 'code.canonicalize', { code: 'def f(y): return y + 1', language: 'python' });
    expect(a.status).toBe('succeeded');
    expect((a.output as { fingerprint: string }).fingerprint).toBe(
      (b.output as { fingerprint: string }).fingerprint,
    );
    const bad = await run('alice', 'code.canonicalize', { code: 'x', language: 'cobol' });
    expect(bad.error?.code).toBe('code.unsupported_language');
  });

  it('checks restrictions: a failed check is a normal result, not an error', async () => {
    const r = await run('alice', 'code.check_restrictions', {
      code: 'int f(int n) { return n ? f(n - 1) : 0; }',
      language: 'c',
    });
    expect(r.status).toBe('succeeded');
    expect(r.output).toMatchObject({ passed: false, set: { id: 'nasa-power-of-ten' } });
    const missing = await run('alice', 'code.check_restrictions', {
      code: 'x = 1',
      language: 'python',
      restriction_set: 'nope',
    });
    expect(missing.error?.code).toBe('code.restriction_set_not_found');
  });

  it('measures repeatability, stores it and compares with the previous run', async () => {
    const ref =
      'def gcd(a, b):\n    a, b = abs(a), abs(b)\n    while b:\n        a, b = b, a % b\n    return a\n';
    const first = await run('alice', 'code.repeatability', { contract: 'gcd', samples: [ref, ref] });
    expect(first.status).toBe('succeeded');
    expect(first.output).toMatchObject({
      contract: 'gcd',
      metrics: { R_raw: 1, pass_rate: 1 },
      previous: null,
    });
    const second = await run('alice', 'code.repeatability', {
      contract: 'gcd',
      samples: [ref, 'def gcd(a, b):\n    return 0\n'],
    });
    expect(second.output).toMatchObject({
      previous: { id: (first.output as { id: string }).id, delta: { pass_rate: -0.5 } },
    });
  }, 60_000);

  it('holds code.compile for approval with a preview of backends and commands, then runs it once approved', async () => {
    const pending = await run('local', 'code.compile', { spec: GCD, backends: ['python', 'c', 'verilog'] });
    expect(pending.status).toBe('pending_approval');
    const preview = pending.preview as {
      backends: { backend: string; commands: string[]; would_run: boolean }[];
      spec: { name: string };
    };
    expect(preview.spec.name).toBe('gcd');
    expect(preview.backends.map((b) => b.backend)).toEqual(['python', 'c', 'verilog']);
    expect(preview.backends[1].commands[0]).toMatch(/gcc -std=c11 .* main\.c/);
    expect(preview.backends[1].commands[1]).toBe('./main');

    const self = await app.engine
      .decide({
        approvalId: pending.approval!.id,
        principal: app.as('local'),
        decision: 'approve',
        channel: 'cli',
      })
      .catch((e) => e);
    expect(self.code).toBe('approval.self_approval');

    const decided = await app.engine.decide({
      approvalId: pending.approval!.id,
      principal: app.as('bob'),
      decision: 'approve',
      channel: 'cli',
    });
    expect(decided.run?.status).toBe('succeeded');
    const out = decided.run!.output as {
      passed: boolean;
      backends: { backend: string; status: string }[];
      manifest: string;
    };
    expect(out.backends.map((b) => [b.backend, b.status])).toEqual([
      ['python', 'passed'],
      ['c', 'passed'],
      ['verilog', expect.stringMatching(/passed|skipped/)],
    ]);
    expect(out.manifest).toContain(join(app.config.home, 'code', 'builds'));
  }, 120_000);

  it('refuses an invalid spec before asking anyone to approve it', async () => {
    const r = await run('local', 'code.compile', {
      spec: { name: 'f', returns: 'int', body: [{ return: 'x' }], tests: [{ args: [], expect: 1 }] },
    });
    expect(r.error?.code).toBe('code.spec_invalid');
  });
});
