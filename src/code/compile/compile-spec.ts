import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256Hex } from '../../core/hash.js';
import type { Queryable } from '../../db/db.js';
import { signManifest, type UnsignedManifest } from '../provenance/manifest.js';
import { loadOrCreateSigningKey } from '../provenance/signing-key.js';
import { checkRestrictions, type Violation } from '../restrictions/check-restrictions.js';
import type { RestrictionSet } from '../restrictions/restriction-set.js';
import { DEFAULT_LIMITS, sandboxCapabilities } from '../sandbox/sandbox.js';
import { probeToolchain } from '../sandbox/toolchains.js';
import { BACKENDS, type BackendId } from '../spec/backends.js';
import type { CheckedSpec } from '../spec/check-spec.js';
import { EMITTER_VERSION } from '../spec/emitters/emitter-support.js';
import { readCompileCache, writeCompileCache } from './compile-cache.js';
import { type ExecutionOutcome, runBackend } from './run-backend.js';

export interface CompileOptions {
  spec: CheckedSpec;
  backends: readonly BackendId[];
  db: Queryable;
  tenant: string;
  /** `$SKILLGATE_HOME`: artifacts go to `code/builds/<hash>/`, the key to `keys/`. */
  home: string;
  /** Gate: a strict violation in a backend's emitted function rejects that backend. */
  restrictionSet?: RestrictionSet;
  /** Reuse results by (spec hash, backend, toolchain version, emitter version). Default true. */
  useCache?: boolean;
  /** Backends built at once (default 2). */
  concurrency?: number;
  signal?: AbortSignal;
}

export interface BackendReport {
  backend: BackendId;
  status: 'passed' | 'failed' | 'skipped' | 'rejected';
  reason: string | null;
  phase: ExecutionOutcome['phase'] | 'gate' | 'toolchain' | null;
  toolchain: { id: string; version: string | null };
  file: string;
  sha256: string;
  source: string;
  tests: ExecutionOutcome['tests'] | null;
  gate: { set: string; passed: boolean; violations: Violation[] } | null;
  commands: string[][];
  cached: boolean;
  compile_ms: number;
  run_ms: number;
  stderr_tail: string | null;
}

export interface CompileResult {
  spec: { name: string; sha256: string };
  /** True when at least one backend passed and none failed or was rejected (skips do not fail). */
  passed: boolean;
  summary: Record<BackendReport['status'], number>;
  backends: BackendReport[];
  manifest: string;
  key_id: string;
  duration_ms: number;
}

/** Folder of a spec's build artifacts and manifest. */
export function buildDir(home: string, specHash: string): string {
  return join(home, 'code', 'builds', specHash.slice(0, 16));
}

async function oneBackend(id: BackendId, o: CompileOptions): Promise<BackendReport> {
  const backend = BACKENDS[id];
  const unsupported = backend.unsupported?.(o.spec);
  const emitted = unsupported ? { fileName: '', functionSource: '', source: '' } : backend.emit(o.spec);
  const toolchain = await probeToolchain(backend.toolchain);
  const commands = backend.commands(emitted.fileName, toolchain);
  const base: BackendReport = {
    backend: id,
    status: 'skipped',
    reason: null,
    phase: null,
    toolchain: { id: toolchain.id, version: toolchain.version },
    file: emitted.fileName,
    sha256: sha256Hex(emitted.source),
    source: emitted.source,
    tests: null,
    gate: null,
    commands: [commands.compile, commands.run].filter((c): c is string[] => !!c),
    cached: false,
    compile_ms: 0,
    run_ms: 0,
    stderr_tail: null,
  };
  if (unsupported) return { ...base, sha256: '', commands: [], reason: unsupported, phase: 'toolchain' };
  if (o.restrictionSet && backend.checkAs) {
    const check = await checkRestrictions(emitted.functionSource, backend.checkAs, o.restrictionSet);
    base.gate = { set: o.restrictionSet.id, passed: check.passed, violations: check.violations };
    if (!check.passed) {
      return {
        ...base,
        status: 'rejected',
        phase: 'gate',
        reason: `${check.counts.strict} strict violation(s) of ${o.restrictionSet.id}`,
      };
    }
  }
  if (!toolchain.available)
    return { ...base, reason: toolchain.reason ?? 'toolchain unavailable', phase: 'toolchain' };
  const key = {
    tenant: o.tenant,
    specHash: o.spec.hash,
    backend: id,
    toolchain: toolchain.version!,
    emitterVersion: EMITTER_VERSION,
  };
  let outcome = o.useCache === false ? undefined : await readCompileCache(o.db, key);
  const cached = !!outcome;
  if (!outcome) {
    outcome = await runBackend(backend, toolchain, o.spec, emitted, o.signal);
    await writeCompileCache(o.db, key, outcome);
  }
  return {
    ...base,
    status: outcome.status,
    phase: outcome.phase,
    reason: outcome.reason,
    tests: outcome.tests,
    cached,
    compile_ms: outcome.compileMs,
    run_ms: outcome.runMs,
    stderr_tail: outcome.stderrTail,
  };
}

async function pool<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/**
 * Compiles a checked spec to each backend: emit (deterministic), gate with the restriction set,
 * probe the toolchain (missing -> `skipped` with the reason, never passed), then compile and run
 * the test vectors in the sandbox, or reuse the cached outcome. Writes the emitted files and a
 * signed provenance manifest to `buildDir(home, hash)`.
 */
export async function compileSpec(o: CompileOptions): Promise<CompileResult> {
  const started = performance.now();
  const reports = await pool(o.backends, o.concurrency ?? 2, (id) => oneBackend(id, o));
  const dir = buildDir(o.home, o.spec.hash);
  for (const r of reports) {
    if (!r.file) continue;
    mkdirSync(join(dir, r.backend), { recursive: true });
    writeFileSync(join(dir, r.backend, r.file), r.source);
  }
  const key = loadOrCreateSigningKey(o.home);
  const unsigned: UnsignedManifest = {
    format: 'skillgate-provenance/1',
    spec: { name: o.spec.name, sha256: o.spec.hash },
    emitter_version: EMITTER_VERSION,
    created_at: new Date().toISOString(),
    sandbox: { network_isolated: sandboxCapabilities().network, limits: { ...DEFAULT_LIMITS } },
    backends: reports.map((r) => ({
      backend: r.backend,
      status: r.status,
      reason: r.reason,
      toolchain: r.toolchain,
      artifacts: r.file
        ? [{ path: `${r.backend}/${r.file}`, sha256: r.sha256, bytes: Buffer.byteLength(r.source) }]
        : [],
      tests: { total: r.tests?.total ?? 0, passed: r.tests?.passed ?? 0, failed: r.tests?.failed ?? 0 },
      commands: r.commands,
      cached: r.cached,
    })),
  };
  const manifest = signManifest(unsigned, key);
  const manifestFile = join(dir, 'manifest.json');
  writeFileSync(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
  const summary = { passed: 0, failed: 0, skipped: 0, rejected: 0 };
  for (const r of reports) summary[r.status]++;
  return {
    spec: { name: o.spec.name, sha256: o.spec.hash },
    passed: summary.passed > 0 && summary.failed === 0 && summary.rejected === 0,
    summary,
    backends: reports,
    manifest: manifestFile,
    key_id: key.keyId,
    duration_ms: Math.round(performance.now() - started),
  };
}
