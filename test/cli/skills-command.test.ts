import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliHome, cli, createCliHome, FIXTURE_SKILLS, SETUP_TIMEOUT, SLOW } from './cli-harness.js';

describe('skillgate skills', SLOW, () => {
  let h: CliHome;
  beforeAll(async () => {
    h = await createCliHome();
  }, SETUP_TIMEOUT);
  afterAll(() => h.remove());

  it('lists skills with id, risk, effects and title', async () => {
    const r = await cli(h, 'skills', 'list');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ID +RISK +EFFECTS +TITLE/);
    expect(r.stdout).toMatch(
      /fixture\.delete_customers +high +delete +Delete customers of a city \(fixture\)/,
    );
    const json = await cli(h, 'skills', 'list', '--json');
    const ids = json.json<{ id: string; risk: string }[]>();
    expect(ids.find((s) => s.id === 'fixture.find_customers')).toMatchObject({
      risk: 'low',
      effects: 'read',
    });
  });

  it('shows a skill: source and input schema', async () => {
    const r = await cli(h, 'skills', 'show', 'fixture.set_tier');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('# fixture.set_tier 1.0.0');
    expect(r.stdout).toContain('UPDATE demo.customers SET tier = :tier');
    expect(r.stdout).toContain('# input schema');
    expect(r.stdout).toMatch(/required:\n\s+- id\n\s+- tier/);
  });

  it('reports an unknown skill in show', async () => {
    const r = await cli(h, 'skills', 'show', 'fixture.nope');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error skill.not_found');
  });

  it('validates a folder and reports every broken file as file:line: reason', async () => {
    const dir = join(h.dir, 'broken-pack', 'pack');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'bad-yaml.yaml'), 'id: pack.bad\nversion: 1.0.0\ntitle: [unclosed\n');
    writeFileSync(
      join(dir, 'bad-field.yaml'),
      'id: pack.bad_field\nversion: 1.0.0\ntitle: Bad\ndescription: d\neffects: read\nrisk: extreme\nhandler: { type: builtin, name: x }\n',
    );
    writeFileSync(
      join(dir, 'bad-handler.yaml'),
      'id: pack.bad_handler\nversion: 1.0.0\ntitle: Bad\ndescription: d\neffects: read\nrisk: low\nhandler: { type: teleport }\n',
    );
    const r = await cli(h, 'skills', 'validate', join(h.dir, 'broken-pack'));
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/broken-pack\/pack\/bad-yaml\.yaml:\d+: invalid YAML/);
    expect(r.stdout).toMatch(/broken-pack\/pack\/bad-field\.yaml:6: risk: /);
    expect(r.stdout).toMatch(/broken-pack\/pack\/bad-handler\.yaml:7: handler/);
    expect(r.stderr).toContain('3 problem(s) in 3 file(s)');
  });

  it('validates the fixture pack as clean', async () => {
    const r = await cli(h, 'skills', 'validate', FIXTURE_SKILLS);
    expect(r.stdout).toContain('4 skill(s) valid, 0 problem(s)');
    expect(r.code).toBe(0);
  });

  it('prints the JSON Schema of the skill format', async () => {
    const r = await cli(h, 'skills', 'schema');
    expect(r.code).toBe(0);
    const schema = r.json<{ properties: Record<string, unknown>; required: string[] }>();
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(['id', 'version', 'effects', 'risk', 'handler']),
    );
    expect(schema.required).toEqual(expect.arrayContaining(['id', 'handler']));
  });
});
