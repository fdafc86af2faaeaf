import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runSandboxed, type SandboxLimits, type SandboxResult, withWorkspace } from '../sandbox/sandbox.js';
import type { Toolchain } from '../sandbox/toolchains.js';
import type { Backend } from '../spec/backends.js';
import type { CheckedSpec, TestValue } from '../spec/check-spec.js';
import type { EmittedSource } from '../spec/emitters/emitter-support.js';

export interface TestOutcome {
  index: number;
  ok: boolean;
  expected: string;
  got: string | null;
}

/** What running one backend's toolchain produced (cacheable: it depends only on spec, emitter and toolchain). */
export interface ExecutionOutcome {
  status: 'passed' | 'failed';
  phase: 'compile' | 'run' | 'tests' | null;
  reason: string | null;
  limit: SandboxResult['limit'];
  tests: { total: number; passed: number; failed: number; failures: TestOutcome[] };
  compileMs: number;
  runMs: number;
  /** The last lines of the compiler's or program's error output, when it failed. */
  stderrTail: string | null;
}

/** Compile-step limits (compilers need more than the programs they build). */
export const COMPILE_LIMITS: Partial<SandboxLimits> = {
  timeout_ms: 180_000,
  cpu_seconds: 180,
  memory_mb: 3072,
  max_output_bytes: 256 * 1024,
};

const show = (v: TestValue): string => (Array.isArray(v) ? `[${v.map(show).join(', ')}]` : String(v));

function matches(expected: TestValue, got: string, type: string): boolean {
  switch (type) {
    case 'int':
      return /^-?[0-9]+$/.test(got) && BigInt(got) === expected;
    case 'float': {
      const g = Number(got);
      const e = expected as number;
      return Number.isFinite(g) && Math.abs(g - e) <= 1e-9 * Math.max(1, Math.abs(e));
    }
    case 'bool':
      return got === String(expected);
    default:
      return got === expected;
  }
}

const tail = (s: string) => s.trimEnd().split('\n').slice(-12).join('\n').slice(-2000);

/** Compares the harness output (`R <index> <value>` lines) with the spec's test vectors. */
export function compareOutput(spec: CheckedSpec, stdout: string): ExecutionOutcome['tests'] {
  const got = new Map<number, string>();
  for (const line of stdout.split('\n')) {
    const m = /^R (\d+) ?(.*)$/.exec(line.replace(/\r$/, ''));
    if (m) got.set(Number(m[1]), m[2]);
  }
  const outcomes = spec.tests.map((t, index) => {
    const g = got.get(index) ?? null;
    return { index, ok: g !== null && matches(t.expect, g, spec.returns), expected: show(t.expect), got: g };
  });
  const passed = outcomes.filter((o) => o.ok).length;
  return {
    total: outcomes.length,
    passed,
    failed: outcomes.length - passed,
    failures: outcomes.filter((o) => !o.ok).slice(0, 20),
  };
}

/**
 * Writes the emitted file into a fresh workspace, compiles it (if the backend compiles) and runs
 * the harness, each step in the sandbox; then compares the output with the test vectors. A
 * compiler error, a crash, a limit hit or a wrong value gives `failed` with the phase and reason.
 */
export async function runBackend(
  backend: Backend,
  toolchain: Toolchain,
  spec: CheckedSpec,
  emitted: EmittedSource,
  signal?: AbortSignal,
): Promise<ExecutionOutcome> {
  const cmds = backend.commands(emitted.fileName, toolchain);
  const runLimits: Partial<SandboxLimits> = {
    timeout_ms: spec.spec.limits.timeout_ms ?? 10_000,
    cpu_seconds: Math.ceil((spec.spec.limits.timeout_ms ?? 10_000) / 1000),
    memory_mb: spec.spec.limits.memory_mb ?? 512,
  };
  const empty = { total: spec.tests.length, passed: 0, failed: spec.tests.length, failures: [] };
  return withWorkspace(`compile-${backend.id}`, async (dir) => {
    await writeFile(join(dir, emitted.fileName), emitted.source);
    let compileMs = 0;
    if (cmds.compile) {
      const c = await runSandboxed({
        argv: cmds.compile,
        cwd: dir,
        limits: COMPILE_LIMITS,
        env: toolchain.env,
        signal,
      });
      compileMs = c.durationMs;
      if (c.exitCode !== 0 || c.limit) {
        const why = c.limit
          ? `the compiler hit the ${c.limit} limit`
          : `the compiler exited with ${c.exitCode ?? c.signal}`;
        return {
          status: 'failed',
          phase: 'compile',
          reason: why,
          limit: c.limit,
          tests: empty,
          compileMs,
          runMs: 0,
          stderrTail: tail(c.stderr || c.stdout),
        };
      }
    }
    const r = await runSandboxed({ argv: cmds.run, cwd: dir, limits: runLimits, env: toolchain.env, signal });
    const tests = compareOutput(spec, r.stdout);
    if (r.limit || r.exitCode !== 0) {
      const why = r.limit
        ? `the program hit the ${r.limit} limit`
        : `the program exited with ${r.exitCode ?? r.signal}`;
      return {
        status: 'failed',
        phase: 'run',
        reason: why,
        limit: r.limit,
        tests,
        compileMs,
        runMs: r.durationMs,
        stderrTail: tail(r.stderr),
      };
    }
    const ok = tests.failed === 0;
    return {
      status: ok ? 'passed' : 'failed',
      phase: ok ? null : 'tests',
      reason: ok ? null : `${tests.failed} of ${tests.total} test vectors failed`,
      limit: null,
      tests,
      compileMs,
      runMs: r.durationMs,
      stderrTail: null,
    };
  });
}
