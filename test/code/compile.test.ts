import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CompileResult, compileSpec } from '../../src/code/compile/compile-spec.js';
import { verifyManifest } from '../../src/code/provenance/manifest.js';
import { keyPath } from '../../src/code/provenance/signing-key.js';
import { restrictionPresets } from '../../src/code/restrictions/restriction-presets.js';
import { runSandboxed, withWorkspace } from '../../src/code/sandbox/sandbox.js';
import { probeToolchain } from '../../src/code/sandbox/toolchains.js';
import { BACKEND_IDS, BACKENDS } from '../../src/code/spec/backends.js';
import { checkSpec } from '../../src/code/spec/check-spec.js';
import type { PgliteDb } from '../../src/db/pglite-db.js';
import { createTestDb } from '../helpers/test-db.js';

const load = (name: string) =>
  readFileSync(join(import.meta.dirname, 'fixtures', `${name}.spec.yaml`), 'utf8');

describe('code.compile core: backends, sandbox, cache, provenance', () => {
  let db: PgliteDb;
  let home: string;
  let cold: CompileResult;

  beforeAll(async () => {
    db = await createTestDb();
    home = mkdtempSync(join(tmpdir(), 'skillgate-code-home-'));
    cold = await compileSpec({
      spec: checkSpec(load('is-prime')),
      backends: BACKEND_IDS,
      db,
      tenant: 'default',
      home,
    });
  }, 240_000);
  afterAll(async () => {
    await db.close();
  });

  it('builds and tests every backend whose toolchain exists, and skips (never passes) the others', async () => {
    for (const r of cold.backends) {
      const tc = await probeToolchain(BACKENDS[r.backend].toolchain);
      if (tc.available) {
        expect({ backend: r.backend, status: r.status, failures: r.tests?.failures }).toEqual({
          backend: r.backend,
          status: 'passed',
          failures: [],
        });
        expect(r.tests).toMatchObject({ total: 5, passed: 5, failed: 0 });
        expect(r.toolchain.version).toBe(tc.version);
      } else {
        expect(r).toMatchObject({ status: 'skipped', reason: tc.reason, tests: null });
      }
    }
    expect(cold.passed).toBe(true);
  });

  it('answers from the cache on the second build, in a fraction of the cold time', async () => {
    const warm = await compileSpec({
      spec: checkSpec(load('is-prime')),
      backends: BACKEND_IDS,
      db,
      tenant: 'default',
      home,
    });
    const built = warm.backends.filter((b) => b.status !== 'skipped');
    expect(built.every((b) => b.cached)).toBe(true);
    expect(warm.backends.map((b) => b.status)).toEqual(cold.backends.map((b) => b.status));
    expect(warm.duration_ms).toBeLessThan(Math.max(200, cold.duration_ms * 0.05));
  });

  it('signs a manifest that verifies, and detects a changed artifact or a forged signature', () => {
    const v = verifyManifest(cold.manifest, { home });
    expect(v).toMatchObject({ valid: true, signatureValid: true, trustedKey: true, problems: [] });
    expect(v.artifacts.length).toBe(cold.backends.filter((b) => b.file).length);
    expect(statSync(keyPath(home)).mode & 0o777).toBe(0o600);

    const manifest = JSON.parse(readFileSync(cold.manifest, 'utf8'));
    const artifact = join(cold.manifest, '..', manifest.backends[0].artifacts[0].path);
    const original = readFileSync(artifact, 'utf8');
    writeFileSync(artifact, `${original}// tampered\n`);
    const tampered = verifyManifest(cold.manifest, { home });
    expect(tampered.valid).toBe(false);
    expect(tampered.signatureValid).toBe(true);
    expect(tampered.problems[0]).toMatch(/differs/);
    writeFileSync(artifact, original);

    const forged = join(mkdtempSync(join(tmpdir(), 'forged-')), 'manifest.json');
    manifest.backends[0].status = 'passed';
    manifest.backends[0].tests.passed = 999;
    writeFileSync(forged, JSON.stringify(manifest));
    const f = verifyManifest(forged, { home: mkdtempSync(join(tmpdir(), 'other-home-')) });
    expect(f).toMatchObject({ valid: false, signatureValid: false, trustedKey: false });
  });

  it('reports wrong expected values as failed test vectors with what came out', async () => {
    const spec = checkSpec(
      load('gcd').replace('expect: 6 }\n  - { args: [-21', 'expect: 7 }\n  - { args: [-21'),
    );
    const r = await compileSpec({ spec, backends: ['python', 'c'], db, tenant: 'default', home });
    for (const b of r.backends) {
      expect(b).toMatchObject({ status: 'failed', phase: 'tests', reason: '1 of 4 test vectors failed' });
      expect(b.tests!.failures).toEqual([{ index: 0, ok: false, expected: '7', got: '6' }]);
    }
    expect(r.passed).toBe(false);
  });

  it('stops a spec that loops for too long at the time limit, cleanly', async () => {
    const spin = checkSpec({
      name: 'spin',
      params: [{ name: 'n', type: 'int' }],
      returns: 'int',
      body: [
        { let: 's', value: 0 },
        { while: 's >= 0', max_iterations: 1_000_000_000, do: [{ set: 's', value: '(s + n) % 1000' }] },
        { return: 's' },
      ],
      tests: [{ args: [1], expect: 0 }],
      limits: { timeout_ms: 1500 },
    });
    const r = await compileSpec({
      spec: spin,
      backends: ['python'],
      db,
      tenant: 'default',
      home,
      useCache: false,
    });
    expect(r.backends[0]).toMatchObject({ status: 'failed', phase: 'run' });
    expect(r.backends[0].reason).toMatch(/limit/);
  });

  it('rejects a backend whose emitted code breaks a strict rule of the gating restriction set', async () => {
    const set = {
      id: 'no-while',
      version: '1',
      rules: [
        {
          id: 'no-loops',
          description: 'no loops',
          enforcement: 'strict' as const,
          severity: 'error' as const,
          detector: { type: 'max_nesting_depth' as const, max: 1 },
        },
      ],
    };
    const r = await compileSpec({
      spec: checkSpec(load('is-prime')),
      backends: ['c', 'rust'],
      db,
      tenant: 'default',
      home,
      restrictionSet: set,
    });
    expect(r.backends[0]).toMatchObject({ backend: 'c', status: 'rejected', phase: 'gate' });
    expect(r.backends[0].gate!.violations[0].rule).toBe('no-loops');
    // Rust has no parser-based checker: the gate does not apply and it builds.
    expect(r.backends[1].gate).toBeNull();
    const nasa = await compileSpec({
      spec: checkSpec(load('gcd')),
      backends: ['c', 'python'],
      db,
      tenant: 'default',
      home,
      restrictionSet: restrictionPresets().get('nasa-power-of-ten'),
    });
    expect(nasa.backends.map((b) => b.gate?.passed)).toEqual([true, true]);
  });
});

describe('sandbox', () => {
  const py = async () => (await probeToolchain('python')).programs.runner;

  it('kills a program at the wall-clock timeout', async () => {
    await withWorkspace('t', async (dir) => {
      const r = await runSandboxed({
        argv: [await py(), '-c', 'while True: pass'],
        cwd: dir,
        limits: { timeout_ms: 800 },
      });
      expect(r).toMatchObject({ limit: expect.stringMatching(/timeout|cpu/), exitCode: null });
    });
  });

  it('stops wild allocation at the memory limit', async () => {
    await withWorkspace('t', async (dir) => {
      const r = await runSandboxed({
        argv: [await py(), '-c', 'x = bytearray(4 * 1024 ** 3)'],
        cwd: dir,
        limits: { memory_mb: 256 },
      });
      expect(r.limit).toBe('memory');
    });
  });

  it('cuts output at the size limit and stops the program', async () => {
    await withWorkspace('t', async (dir) => {
      const r = await runSandboxed({
        argv: [await py(), '-c', 'while True: print("x" * 100)'],
        cwd: dir,
        limits: { max_output_bytes: 4096 },
      });
      expect(r.limit).toBe('output');
      expect(r.stdout.length).toBeLessThanOrEqual(4096);
    });
  });

  it('gives no network when the machine allows a network namespace, and says so', async () => {
    await withWorkspace('t', async (dir) => {
      const code =
        'import socket\ns = socket.socket()\ns.settimeout(2)\ntry:\n    s.connect(("127.0.0.1", 9))\n    print("connected")\nexcept OSError as e:\n    print("errno", e.errno)\n';
      const r = await runSandboxed({ argv: [await py(), '-c', code], cwd: dir });
      if (r.networkIsolated) expect(r.stdout.trim()).toBe('errno 101');
      else expect(r.stdout).toMatch(/errno|connected/);
    });
  });
});
