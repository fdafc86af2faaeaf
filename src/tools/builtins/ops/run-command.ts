import { spawn } from 'node:child_process';
import { SkillgateError } from '../../../core/errors.js';

/** Env vars a configured command inherits; everything else (tokens, keys, DSNs) is left out. */
const SAFE_ENV_KEYS = ['PATH', 'HOME', 'USER', 'LOGNAME', 'LANG', 'LANGUAGE', 'TZ', 'TMPDIR', 'TERM'];

/**
 * A minimal environment for child processes: `PATH`, `HOME`, locale and temp settings of the
 * server (`LC_*` included), plus `extra`. Secrets never reach a command through its env.
 */
export function safeEnv(
  extra: Record<string, string> = {},
  from: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(from)) {
    if (v !== undefined && (SAFE_ENV_KEYS.includes(k) || k.startsWith('LC_'))) env[k] = v;
  }
  return { ...env, ...extra };
}

export interface RunCommandOptions {
  /** Program and arguments; run without a shell. */
  argv: readonly string[];
  cwd?: string;
  /** Killed (process group: SIGTERM, then SIGKILL after 2 s) when exceeded. */
  timeoutMs: number;
  /** Default `safeEnv()`. */
  env?: NodeJS.ProcessEnv;
  /** Bytes kept of stdout and of stderr each (the tail). Default 64 KiB. */
  maxOutputBytes?: number;
  signal?: AbortSignal;
}

export interface CommandResult {
  argv: string[];
  exitCode: number | null;
  /** The signal that ended the process, if any. */
  signal: string | null;
  stdout: string;
  stderr: string;
  /** True when output beyond `maxOutputBytes` was dropped (the head). */
  truncated: boolean;
  timedOut: boolean;
  durationMs: number;
}

/** Keeps the last `max` bytes of a stream. */
class TailBuffer {
  private chunks: Buffer[] = [];
  private size = 0;
  dropped = false;
  constructor(private readonly max: number) {}
  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size > this.max && this.chunks.length > 0) {
      const over = this.size - this.max;
      const first = this.chunks[0];
      this.dropped = true;
      if (first.length <= over) {
        this.chunks.shift();
        this.size -= first.length;
      } else {
        this.chunks[0] = first.subarray(over);
        this.size -= over;
      }
    }
  }
  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

/**
 * Runs a configured command (argv, no shell) with a timeout, a size-limited capture of its output
 * and an environment without secrets. Resolves with the exit status whatever it is (callers decide
 * what a failure is, see `assertCommandSucceeded`); rejects only when the program cannot be started.
 */
export function runCommand(options: RunCommandOptions): Promise<CommandResult> {
  const argv = [...options.argv];
  const maxBytes = options.maxOutputBytes ?? 64 * 1024;
  const started = performance.now();
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) {
      reject(new SkillgateError('skill.aborted', `Command ${argv[0]} was cancelled before it started.`));
      return;
    }
    const child = spawn(argv[0], argv.slice(1), {
      cwd: options.cwd,
      env: options.env ?? safeEnv(),
      shell: false,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const stdout = new TailBuffer(maxBytes);
    const stderr = new TailBuffer(maxBytes);
    child.stdout.on('data', (c: Buffer) => stdout.push(c));
    child.stderr.on('data', (c: Buffer) => stderr.push(c));
    let timedOut = false;
    let killTimer: NodeJS.Timeout | undefined;
    const killGroup = (sig: NodeJS.Signals) => {
      try {
        if (child.pid) process.kill(-child.pid, sig);
      } catch {
        child.kill(sig);
      }
    };
    const stop = () => {
      killGroup('SIGTERM');
      killTimer = setTimeout(() => killGroup('SIGKILL'), 2_000);
      killTimer.unref();
    };
    const timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, options.timeoutMs);
    const onAbort = () => stop();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const cleanup = () => {
      clearTimeout(timer);
      if (killTimer) clearTimeout(killTimer);
      options.signal?.removeEventListener('abort', onAbort);
    };
    child.on('error', (err: NodeJS.ErrnoException) => {
      cleanup();
      const what =
        err.code === 'ENOENT' ? 'not found' : err.code === 'EACCES' ? 'not executable' : err.message;
      reject(
        new SkillgateError('handler.command_failed', `Cannot start ${argv[0]}: ${what}.`, {
          command: argv[0],
          cwd: options.cwd ?? null,
        }),
      );
    });
    child.on('close', (code, sig) => {
      cleanup();
      resolve({
        argv,
        exitCode: code,
        signal: sig,
        stdout: stdout.text(),
        stderr: stderr.text(),
        truncated: stdout.dropped || stderr.dropped,
        timedOut,
        durationMs: Math.round(performance.now() - started),
      });
    });
  });
}

/** The last `lines` lines of a text (for error messages). */
export function tailLines(text: string, lines = 10): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/**
 * Throws `handler.command_failed` (exit code, signal, tail of stderr in the details) unless the
 * command exited 0; a timeout says so.
 */
export function assertCommandSucceeded(r: CommandResult, what: string): void {
  if (r.exitCode === 0 && !r.timedOut) return;
  const tail = tailLines(r.stderr || r.stdout);
  const how = r.timedOut
    ? `timed out after ${r.durationMs} ms and was killed`
    : r.exitCode === null
      ? `was killed by ${r.signal}`
      : `exited with code ${r.exitCode}`;
  throw new SkillgateError(
    'handler.command_failed',
    `${what}: \`${r.argv.join(' ')}\` ${how}.${tail ? ` Last output:\n${tail}` : ''}`,
    {
      command: r.argv.join(' '),
      exit_code: r.exitCode,
      signal: r.signal,
      timed_out: r.timedOut,
      stderr_tail: tail.slice(-2000),
      duration_ms: r.durationMs,
    },
  );
}
