import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { findExecutable } from './find-executable.js';

/** Limits of one sandboxed execution. Defaults: 10 s wall, 10 s CPU, 512 MiB data, 64 KiB output, 16 MiB files. */
export const SandboxLimitsSchema = z.object({
  timeout_ms: z.number().int().positive().max(600_000).default(10_000),
  cpu_seconds: z.number().int().positive().max(600).default(10),
  memory_mb: z.number().int().min(16).max(16_384).default(512),
  max_output_bytes: z
    .number()
    .int()
    .positive()
    .max(16 * 1024 * 1024)
    .default(64 * 1024),
  file_size_mb: z.number().int().positive().max(1024).default(16),
});
export type SandboxLimits = z.infer<typeof SandboxLimitsSchema>;
export const DEFAULT_LIMITS: SandboxLimits = SandboxLimitsSchema.parse({});

export interface SandboxRunOptions {
  argv: readonly string[];
  /** Working directory (a workspace from `withWorkspace`). */
  cwd: string;
  limits?: Partial<SandboxLimits>;
  /** Extra environment; the base is PATH, HOME=cwd, LANG=C.UTF-8, TMPDIR=cwd. */
  env?: Record<string, string>;
  stdin?: string;
  signal?: AbortSignal;
}

export type SandboxLimitHit = 'timeout' | 'cpu' | 'memory' | 'output' | null;

export interface SandboxResult {
  argv: string[];
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  /** Which limit ended or broke the run, if one did (memory is inferred from the error output). */
  limit: SandboxLimitHit;
  durationMs: number;
  /** True when the process ran in its own network namespace (no network at all). */
  networkIsolated: boolean;
}

export interface SandboxCapabilities {
  /** `unshare -n` works (root or user namespaces): executions get no network. */
  network: boolean;
  /** `prlimit` exists; otherwise limits are set with `ulimit` in `sh -c`. */
  prlimit: boolean;
}

let caps: SandboxCapabilities | undefined;

/** What this machine's sandbox can enforce; probed once per process. */
export function sandboxCapabilities(): SandboxCapabilities {
  if (caps) return caps;
  const unshare = findExecutable('unshare');
  const network = !!unshare && spawnSync(unshare, ['-n', 'true'], { timeout: 5_000 }).status === 0;
  caps = { network, prlimit: !!findExecutable('prlimit') };
  return caps;
}

/** The wrapped argv: network namespace, then resource limits, then the program. */
export function sandboxArgv(
  argv: readonly string[],
  limits: SandboxLimits,
  c = sandboxCapabilities(),
): string[] {
  const data = limits.memory_mb * 1024 * 1024;
  const fsize = limits.file_size_mb * 1024 * 1024;
  const limited = c.prlimit
    ? [
        'prlimit',
        `--cpu=${limits.cpu_seconds}`,
        `--data=${data}`,
        `--fsize=${fsize}`,
        '--core=0',
        '--nofile=256',
        '--',
        ...argv,
      ]
    : [
        'sh',
        '-c',
        `ulimit -t ${limits.cpu_seconds} -d ${data / 1024} -f ${fsize / 512} -c 0 -n 256 && exec "$@"`,
        'sandbox',
        ...argv,
      ];
  return c.network ? ['unshare', '-n', '--', ...limited] : limited;
}

const MEMORY_ERRORS =
  /MemoryError|out of memory|Cannot allocate memory|bad_alloc|OutOfMemoryError|heap out of memory|memory allocation of \d+ bytes failed|runtime: cannot allocate/i;

/**
 * Runs a program in the sandbox: its own process group in `cwd`, a minimal environment without
 * secrets, no network (a fresh network namespace when the machine allows it, see
 * `sandboxCapabilities`), CPU-time, data-size, file-size and open-file limits, a wall-clock timeout
 * (the whole group is killed) and a cap on captured output (the group is killed past it). Never
 * rejects for a failing program: see `exitCode` and `limit`; rejects only if it cannot start.
 */
export function runSandboxed(options: SandboxRunOptions): Promise<SandboxResult> {
  const limits: SandboxLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const c = sandboxCapabilities();
  const argv = sandboxArgv(options.argv, limits, c);
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: options.cwd,
    TMPDIR: options.cwd,
    LANG: 'C.UTF-8',
    ...options.env,
  };
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), {
      cwd: options.cwd,
      env,
      detached: true,
      stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let limit: SandboxLimitHit = null;
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outBytes = 0;
    const kill = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    };
    const capture = (into: Buffer[]) => (chunk: Buffer) => {
      const room = limits.max_output_bytes - outBytes;
      if (room > 0) into.push(chunk.subarray(0, room));
      outBytes += chunk.length;
      if (outBytes > limits.max_output_bytes && !limit) {
        limit = 'output';
        kill();
      }
    };
    child.stdout?.on('data', capture(out));
    child.stderr?.on('data', capture(err));
    if (options.stdin !== undefined) child.stdin?.end(options.stdin);
    const timer = setTimeout(() => {
      limit ??= 'timeout';
      kill();
    }, limits.timeout_ms);
    const onAbort = () => kill();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, sig) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      const stderr = Buffer.concat(err).toString('utf8');
      if (!limit && sig === 'SIGXCPU') limit = 'cpu';
      if (!limit && sig === 'SIGKILL' && performance.now() - started >= limits.cpu_seconds * 1000)
        limit = 'cpu';
      if (!limit && code !== 0 && MEMORY_ERRORS.test(stderr)) limit = 'memory';
      resolve({
        argv: [...options.argv],
        exitCode: code,
        signal: sig,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr,
        limit,
        durationMs: Math.round(performance.now() - started),
        networkIsolated: c.network,
      });
    });
  });
}

/** Runs `fn` in a fresh temporary directory, removed afterwards whatever happens. */
export async function withWorkspace<T>(prefix: string, fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), `skillgate-${prefix}-`));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
