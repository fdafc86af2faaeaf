import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RegistryChange } from '../../src/tools/registry.js';
import { SkillRegistry } from '../../src/tools/registry.js';

const skillYaml = (id: string, title = 'A skill', extra = '') => `id: ${id}
version: 1.0.0
title: ${title}
description: Test skill ${id}
effects: read
risk: low
handler: { type: builtin, name: x }
${extra}`;

describe('skill registry', () => {
  let dir: string;
  let registry: SkillRegistry;
  const built: string[] = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'skillgate-reg-'));
    mkdirSync(join(dir, 'pack', 'nested'), { recursive: true });
    registry = new SkillRegistry({
      dirs: [dir],
      makeHandler: (skill) => {
        if (skill.spec.handler.type === 'builtin' && skill.spec.handler.name === 'missing') {
          throw new Error('unknown builtin "missing"');
        }
        built.push(skill.id);
        return { run: async () => ({ output: null }) };
      },
      validatePipeline: (skill, known) =>
        skill.spec.handler.type === 'pipeline'
          ? skill.spec.handler.steps
              .filter((s) => !known.has(s.uses))
              .map((s) => `step ${s.id}: unknown skill ${s.uses}`)
          : [],
    });
  });
  afterEach(async () => {
    await registry.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('loads packs recursively and skips data folders', () => {
    writeFileSync(join(dir, 'pack', 'a.yaml'), skillYaml('pack.a'));
    writeFileSync(join(dir, 'pack', 'nested', 'b.yml'), skillYaml('pack.b'));
    mkdirSync(join(dir, 'pack', 'contracts'));
    writeFileSync(join(dir, 'pack', 'contracts', 'c.yaml'), 'not: a skill');
    registry.loadAll();
    expect(registry.list().map((s) => s.id)).toEqual(['pack.a', 'pack.b']);
    expect(registry.problems()).toEqual([]);
  });

  it('reports every invalid file with file, line and reason', () => {
    writeFileSync(join(dir, 'pack', 'bad-yaml.yaml'), 'id: pack.x\ntitle: [unclosed\n');
    writeFileSync(
      join(dir, 'pack', 'bad-field.yaml'),
      skillYaml('pack.y').replace('risk: low', 'risk: extreme'),
    );
    writeFileSync(
      join(dir, 'pack', 'bad-handler.yaml'),
      skillYaml('pack.z').replace('type: builtin, name: x', 'type: teleport'),
    );
    writeFileSync(join(dir, 'pack', 'missing.yaml'), skillYaml('pack.m').replace('name: x', 'name: missing'));
    registry.loadAll();
    const problems = registry.problems();
    const byFile = (f: string) => problems.filter((p) => p.file.endsWith(f));
    expect(byFile('bad-yaml.yaml')[0].reason).toMatch(/invalid YAML/);
    expect(byFile('bad-yaml.yaml')[0].line).toBeGreaterThanOrEqual(2);
    expect(byFile('bad-field.yaml')[0]).toMatchObject({ line: 6, path: 'risk' });
    expect(byFile('bad-handler.yaml')[0].line).toBe(7);
    expect(byFile('missing.yaml')[0].reason).toMatch(/unknown builtin/);
    expect(registry.size).toBe(0);
  });

  it('rejects a duplicate id and keeps the first', () => {
    writeFileSync(join(dir, 'pack', 'a.yaml'), skillYaml('pack.a', 'First'));
    writeFileSync(join(dir, 'pack', 'b.yaml'), skillYaml('pack.a', 'Second'));
    registry.loadAll();
    expect(registry.get('pack.a')?.spec.title).toBe('First');
    expect(registry.problems()[0].reason).toMatch(/duplicate skill id/);
  });

  it('keeps the last good version when a file breaks, and picks up the fix', () => {
    const file = join(dir, 'pack', 'a.yaml');
    writeFileSync(file, skillYaml('pack.a', 'Good'));
    registry.loadAll();
    writeFileSync(file, skillYaml('pack.a', 'Broken').replace('effects: read', 'effects: teleport'));
    registry.applyFiles([file]);
    expect(registry.get('pack.a')?.spec.title).toBe('Good');
    expect(registry.problems()).toHaveLength(1);
    writeFileSync(file, skillYaml('pack.a', 'Fixed'));
    const change = registry.applyFiles([file]);
    expect(change.updated).toEqual(['pack.a']);
    expect(registry.get('pack.a')?.spec.title).toBe('Fixed');
    expect(registry.problems()).toEqual([]);
  });

  it('rejects a pipeline with unknown steps at load time', () => {
    writeFileSync(
      join(dir, 'pack', 'p.yaml'),
      skillYaml('pack.p').replace(
        'handler: { type: builtin, name: x }',
        'handler:\n  type: pipeline\n  steps:\n    - { id: one, uses: pack.ghost }',
      ),
    );
    registry.loadAll();
    expect(registry.get('pack.p')).toBeUndefined();
    expect(registry.problems()[0].reason).toMatch(/unknown skill pack.ghost/);
  });

  it('hot-reloads added, changed and deleted files', async () => {
    writeFileSync(join(dir, 'pack', 'a.yaml'), skillYaml('pack.a', 'One'));
    registry.loadAll();
    await registry.watch({ debounceMs: 20 });
    const changes: RegistryChange[] = [];
    registry.on('change', (c) => changes.push(c));
    const waitFor = async (pred: () => boolean) => {
      for (let i = 0; i < 100 && !pred(); i++) await new Promise((r) => setTimeout(r, 50));
      expect(pred()).toBe(true);
    };
    writeFileSync(join(dir, 'pack', 'b.yaml'), skillYaml('pack.b'));
    await waitFor(() => registry.get('pack.b') !== undefined);
    writeFileSync(join(dir, 'pack', 'a.yaml'), skillYaml('pack.a', 'Two'));
    await waitFor(() => registry.get('pack.a')?.spec.title === 'Two');
    writeFileSync(join(dir, 'pack', 'a.yaml'), 'id: [broken');
    await new Promise((r) => setTimeout(r, 400));
    expect(registry.get('pack.a')?.spec.title).toBe('Two');
    rmSync(join(dir, 'pack', 'b.yaml'));
    await waitFor(() => registry.get('pack.b') === undefined);
    expect(
      changes.flatMap((c) => [
        ...c.added.map((x) => `+${x}`),
        ...c.updated.map((x) => `~${x}`),
        ...c.removed.map((x) => `-${x}`),
      ]),
    ).toEqual(['+pack.b', '~pack.a', '-pack.b']);
  });
});
