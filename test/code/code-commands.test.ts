import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileSpec } from '../../src/code/compile/compile-spec.js';
import { checkSpec } from '../../src/code/spec/check-spec.js';
import { PgliteDb } from '../../src/db/pglite-db.js';
import { type CliHome, cli, createCliHome } from '../cli/cli-harness.js';

describe('skillgate restrictions and provenance commands', () => {
  let h: CliHome;
  beforeAll(async () => {
    h = await createCliHome();
  }, 60_000);
  afterAll(() => h.remove());

  it('adds a custom restriction set from a file, lists it with the presets and shows its rules', async () => {
    const file = join(h.dir, 'team.yaml');
    writeFileSync(
      file,
      'id: team-rules\nversion: 1.2.0\ntitle: Team rules\nrules:\n  - id: short\n    description: Short functions\n    detector: { type: max_function_lines, max: 20 }\n',
    );
    const add = await cli(h, 'restrictions', 'add', file);
    expect(add.stderr).toBe('');
    expect(add.stdout).toContain('restriction set team-rules 1.2.0 saved (1 rules) for tenant default');
    const list = await cli(h, '--json', 'restrictions', 'list');
    expect(list.json<{ id: string; source: string }[]>().map((s) => `${s.id}:${s.source}`)).toEqual([
      'embedded:preset',
      'nasa-power-of-ten:preset',
      'pep8-strict:preset',
      'team-rules:custom',
    ]);
    const show = await cli(h, 'restrictions', 'show', 'nasa-power-of-ten');
    expect(show.stdout).toContain('P10-1-no-recursion');
    expect(show.code).toBe(0);
  }, 60_000);

  it('refuses an invalid file with the error code and the bad path', async () => {
    const file = join(h.dir, 'bad.yaml');
    writeFileSync(file, 'id: Bad Id\nversion: 1\nrules: []\n');
    const r = await cli(h, 'restrictions', 'add', file);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error code\.restriction_set_invalid: .*bad\.yaml: id:/);
  });

  it('verifies a signed manifest and fails on a tampered artifact', async () => {
    const db = await PgliteDb.open({ dataDir: join(h.home, 'pgdata') });
    const spec = checkSpec(readFileSync(join(import.meta.dirname, 'fixtures', 'gcd.spec.yaml'), 'utf8'));
    const built = await compileSpec({ spec, backends: ['python'], db, tenant: 'default', home: h.home });
    await db.close();
    const ok = await cli(h, 'provenance', 'verify', built.manifest);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain("this installation's key");
    expect(ok.stdout).toContain('manifest verified');
    writeFileSync(join(built.manifest, '..', 'python', 'main.py'), 'print("hacked")\n');
    const bad = await cli(h, 'provenance', 'verify', built.manifest);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/FAIL python\/main\.py: sha256/);
    const notManifest = join(mkdtempSync(join(tmpdir(), 'nm-')), 'x.json');
    writeFileSync(notManifest, '{}');
    const nm = await cli(h, 'provenance', 'verify', notManifest);
    expect(nm.stderr).toMatch(/error provenance\.invalid/);
  }, 60_000);
});
