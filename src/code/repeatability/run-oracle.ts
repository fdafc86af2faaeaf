import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runSandboxed, withWorkspace } from '../sandbox/sandbox.js';
import { probeToolchain } from '../sandbox/toolchains.js';
import type { Contract } from './contract.js';

export interface OracleResult {
  passed: boolean;
  total: number;
  passedCount: number;
  /** Why the sample could not be judged at all (crash, limit, missing function). */
  error: string | null;
  failures: { index: number; got: string | null; error: string | null }[];
}

const PYTHON_HARNESS = `import json, sys
tests = json.load(open('tests.json'))
ns = {'__name__': 'solution'}
try:
    exec(compile(open('solution.py').read(), 'solution.py', 'exec'), ns)
    fn = ns[sys.argv[1]]
except Exception as e:
    print(json.dumps({'fatal': type(e).__name__ + ': ' + str(e)[:300]}))
    sys.exit(0)
for i, t in enumerate(tests):
    try:
        got = fn(*t['args'])
        print(json.dumps({'i': i, 'ok': got == t['expect'], 'got': repr(got)[:200]}))
    except Exception as e:
        print(json.dumps({'i': i, 'ok': False, 'error': type(e).__name__ + ': ' + str(e)[:200]}))
`;

const JS_HARNESS = `const fs = require('fs'); const vm = require('vm'); const util = require('util');
const tests = JSON.parse(fs.readFileSync('tests.json', 'utf8'));
const name = process.argv[2];
let fn;
try {
  const ctx = vm.createContext({ console: { log() {} } });
  vm.runInContext(fs.readFileSync('solution.js', 'utf8') + '\\n;globalThis.__sg_fn = (typeof ' + name + ' === "function") ? ' + name + ' : (typeof module !== "undefined" && module.exports && module.exports.' + name + ');', ctx, { timeout: 5000 });
  fn = ctx.__sg_fn;
  if (typeof fn !== 'function') throw new Error(name + ' is not defined as a function');
} catch (e) { console.log(JSON.stringify({ fatal: String(e && e.message || e).slice(0, 300) })); process.exit(0); }
tests.forEach((t, i) => {
  try {
    const got = fn(...t.args);
    console.log(JSON.stringify({ i, ok: util.isDeepStrictEqual(JSON.parse(JSON.stringify(got === undefined ? null : got)), t.expect), got: util.inspect(got).slice(0, 200) }));
  } catch (e) { console.log(JSON.stringify({ i, ok: false, error: String(e && e.message || e).slice(0, 200) })); }
});
`;

/**
 * Runs a contract's oracle tests against one sample in the sandbox (fresh workspace, 5 s wall
 * clock, 256 MiB, no network). A sample that crashes, loops or allocates wildly fails cleanly.
 */
export async function runOracle(
  contract: Contract,
  code: string,
  signal?: AbortSignal,
): Promise<OracleResult> {
  const tc = await probeToolchain(contract.language === 'python' ? 'python' : 'node');
  const total = contract.oracle.length;
  if (!tc.available)
    return { passed: false, total, passedCount: 0, error: tc.reason ?? 'toolchain missing', failures: [] };
  return withWorkspace('oracle', async (dir) => {
    const py = contract.language === 'python';
    await writeFile(join(dir, 'tests.json'), JSON.stringify(contract.oracle));
    await writeFile(join(dir, py ? 'solution.py' : 'solution.js'), code);
    await writeFile(join(dir, py ? 'harness.py' : 'harness.cjs'), py ? PYTHON_HARNESS : JS_HARNESS);
    const argv = [tc.programs.runner, ...(py ? ['-B', 'harness.py'] : ['harness.cjs']), contract.function];
    const r = await runSandboxed({
      argv,
      cwd: dir,
      limits: { timeout_ms: 5_000, cpu_seconds: 5, memory_mb: 256 },
      signal,
    });
    const lines = r.stdout.split('\n').filter(Boolean);
    const results = new Map<number, { ok: boolean; got?: string; error?: string }>();
    for (const line of lines) {
      try {
        const j = JSON.parse(line) as {
          fatal?: string;
          i?: number;
          ok?: boolean;
          got?: string;
          error?: string;
        };
        if (j.fatal) return { passed: false, total, passedCount: 0, error: j.fatal, failures: [] };
        if (typeof j.i === 'number') results.set(j.i, { ok: j.ok === true, got: j.got, error: j.error });
      } catch {
        // Output printed by the sample itself: ignored.
      }
    }
    const error = r.limit
      ? `the sample hit the ${r.limit} limit`
      : r.exitCode !== 0
        ? `the harness exited with ${r.exitCode ?? r.signal}`
        : null;
    const failures = contract.oracle
      .map((_, index) => ({ index, r: results.get(index) }))
      .filter((x) => !x.r?.ok)
      .map((x) => ({
        index: x.index,
        got: x.r?.got ?? null,
        error: x.r?.error ?? (x.r ? null : 'no result'),
      }));
    const passedCount = total - failures.length;
    return {
      passed: !error && failures.length === 0,
      total,
      passedCount,
      error,
      failures: failures.slice(0, 10),
    };
  });
}
