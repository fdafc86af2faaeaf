import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { shippedBuiltins } from '../../src/core/builtins.js';
import { ConfigSchema } from '../../src/core/config/config-schema.js';
import { createHandler } from '../../src/tools/handlers/create-handler.js';
import { SqlConnectorPools } from '../../src/tools/handlers/sql-connectors.js';
import { validatePipeline } from '../../src/tools/pipeline/validate-pipeline.js';
import type { Skill } from '../../src/tools/skill.js';
import { parseSkillFile } from '../../src/tools/skill-loader.js';
import { type SkillSpec, SkillSpecSchema } from '../../src/tools/skill-spec.js';
import { catalogueFiles, SKILLS_ROOT } from './skill-context.js';

/** The public skills of these packs, with effects and risk as CATALOGUE.md lists them. */
const CATALOGUE: Record<string, [SkillSpec['effects'], SkillSpec['risk']]> = {
  'crm.find_customer': ['read', 'low'],
  'crm.create_customer': ['write', 'low'],
  'crm.update_customer': ['write', 'medium'],
  'crm.delete_customers': ['delete', 'high'],
  'invoices.list_overdue': ['read', 'low'],
  'invoices.send_reminder': ['external', 'medium'],
  'invoices.mark_paid': ['write', 'medium'],
  'reports.weekly_summary': ['read', 'low'],
  'reports.usage': ['read', 'low'],
  'ops.service_status': ['read', 'low'],
  'ops.restart_service': ['external', 'high'],
  'ops.deploy': ['external', 'high'],
  'ops.run_history': ['read', 'low'],
  'web.fetch': ['external', 'medium'],
};

const INTERNAL = [
  'crm.new_customers',
  'ops.run_stats',
  'ops.run_deploy',
  'ops.verify_health',
  'ops.rollback',
  'reports.compose_weekly_summary',
];

function loadAll(): { file: string; spec: SkillSpec; skill: Skill }[] {
  return catalogueFiles().map((file) => {
    const text = readFileSync(file, 'utf8');
    const spec = SkillSpecSchema.parse(parse(text));
    const parsed = parseSkillFile(file, text);
    if (!parsed.skill) throw new Error(`${file}: ${JSON.stringify(parsed.problems)}`);
    return { file, spec, skill: parsed.skill };
  });
}

describe('catalogue skill files (crm, invoices, reports, ops, web)', () => {
  const all = loadAll();
  const byId = new Map(all.map((s) => [s.spec.id, s]));

  it('parse and validate against SkillSpecSchema and compile their input and output schemas', () => {
    expect(all.length).toBe(Object.keys(CATALOGUE).length + INTERNAL.length);
    for (const { skill } of all) expect(skill.inputSchema).toBeDefined();
  });

  it('ship exactly the catalogue ids with the catalogue effects and risk, plus internal steps', () => {
    expect([...byId.keys()].sort()).toEqual([...Object.keys(CATALOGUE), ...INTERNAL].sort());
    for (const [id, [effects, risk]] of Object.entries(CATALOGUE)) {
      const { spec } = byId.get(id)!;
      expect({ id, effects: spec.effects, risk: spec.risk, internal: spec.internal }).toEqual({
        id,
        effects,
        risk,
        internal: false,
      });
    }
    for (const id of INTERNAL) expect(byId.get(id)!.spec.internal).toBe(true);
  });

  it('keep each file in its pack folder, named after the skill', () => {
    for (const { file, spec } of all) {
      const [pack, name] = spec.id.split('.');
      expect(relative(SKILLS_ROOT, file)).toBe(`${pack}/${name.replace(/_/g, '-')}.yaml`);
    }
  });

  it('give every public skill a description, tags and at least 6 distinct routing examples', () => {
    const seen = new Set<string>();
    for (const id of Object.keys(CATALOGUE)) {
      const { spec } = byId.get(id)!;
      expect(spec.description.length, id).toBeGreaterThan(120);
      expect(spec.tags.length, id).toBeGreaterThanOrEqual(3);
      expect(spec.examples.length, id).toBeGreaterThanOrEqual(6);
      for (const e of spec.examples) {
        expect(seen.has(e.toLowerCase()), `duplicate example "${e}"`).toBe(false);
        seen.add(e.toLowerCase());
      }
    }
  });

  it('default permissions to <pack>.<effects>', () => {
    for (const { skill, spec } of all) {
      expect(skill.permissions).toEqual([`${spec.id.split('.')[0]}.${spec.effects}`]);
    }
  });

  it('document the input fields: every property has a description or is an internal step field', () => {
    for (const id of Object.keys(CATALOGUE)) {
      const { spec } = byId.get(id)!;
      for (const [name, prop] of Object.entries(spec.input.properties ?? {})) {
        expect(prop.description, `${id}.${name}`).toBeTruthy();
      }
    }
  });

  it('build a handler for every skill: builtin names exist, SQL parameters are input fields', () => {
    const builtins = shippedBuiltins();
    const config = ConfigSchema.parse({});
    const connectors = new SqlConnectorPools();
    for (const { skill, spec } of all) {
      if (spec.handler.type === 'builtin') expect(builtins.has(spec.handler.name), spec.id).toBe(true);
      const handler = createHandler(skill, { builtins, connectors, config });
      if (spec.effects !== 'read')
        expect(handler.preview, `${spec.id} needs a dry-run preview`).toBeTypeOf('function');
    }
  });

  it('validate the pipelines: known steps, no cycles, templates well formed', () => {
    const known = new Set(byId.keys());
    const pipelines = all.filter((s) => s.spec.handler.type === 'pipeline').map((s) => s.spec.id);
    expect(pipelines.sort()).toEqual(['ops.deploy', 'reports.weekly_summary']);
    for (const id of pipelines) {
      expect(validatePipeline(byId.get(id)!.spec, known, { selfId: id })).toEqual([]);
    }
  });

  it('run the weekly summary sources in parallel before the summarising step', () => {
    const h = byId.get('reports.weekly_summary')!.spec.handler;
    if (h.type !== 'pipeline') throw new Error('not a pipeline');
    const roots = h.steps.filter((s) => s.needs.length === 0).map((s) => s.uses);
    expect(roots.sort()).toEqual(['crm.new_customers', 'invoices.list_overdue', 'ops.run_stats']);
    expect(h.concurrency).toBeGreaterThanOrEqual(3);
    const last = h.steps.find((s) => s.uses === 'reports.compose_weekly_summary')!;
    expect(last.needs.sort()).toEqual(['new_customers', 'overdue', 'run_stats']);
  });

  it('roll a failed deploy back, and only through the internal rollback step', () => {
    const h = byId.get('ops.deploy')!.spec.handler;
    if (h.type !== 'pipeline') throw new Error('not a pipeline');
    expect(h.steps.map((s) => s.uses)).toEqual(['ops.service_status', 'ops.run_deploy', 'ops.verify_health']);
    expect(h.on_failure.map((s) => s.uses)).toEqual(['ops.rollback']);
    expect(byId.get('ops.deploy')!.spec.description).toMatch(/approv/i);
  });
});
