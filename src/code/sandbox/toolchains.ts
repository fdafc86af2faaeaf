import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { findExecutable } from './find-executable.js';

export const ToolchainIdSchema = z.enum([
  'node',
  'typescript',
  'python',
  'gcc',
  'rustc',
  'java',
  'go',
  'iverilog',
]);
export type ToolchainId = z.infer<typeof ToolchainIdSchema>;

/** A local toolchain as probed: resolved program paths and a version string (part of cache keys). */
export interface Toolchain {
  id: ToolchainId;
  available: boolean;
  /** e.g. `gcc 12.2.0`; null when unavailable. */
  version: string | null;
  /** Why it is unavailable. */
  reason?: string;
  /** Resolved programs by role (`compiler`, `runner`, ...). */
  programs: Record<string, string>;
  /** Extra environment the toolchain needs inside the sandbox. */
  env: Record<string, string>;
}

function run(file: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: 15_000, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) reject(err);
      else resolve(`${stdout}${stderr}`.trim());
    });
  });
}

const missing = (id: ToolchainId, reason: string): Toolchain => ({
  id,
  available: false,
  version: null,
  reason,
  programs: {},
  env: {},
});

/** Programs a toolchain needs, looked up on PATH without running anything (previews). */
export const TOOLCHAIN_PROGRAMS: Record<ToolchainId, string[]> = {
  node: ['node'],
  typescript: ['node'],
  python: ['python3'],
  gcc: ['gcc'],
  rustc: ['rustc'],
  java: ['javac', 'java'],
  go: ['go'],
  iverilog: ['iverilog', 'vvp'],
};

async function probe(id: ToolchainId): Promise<Toolchain> {
  for (const p of TOOLCHAIN_PROGRAMS[id]) {
    if (id !== 'typescript' && id !== 'node' && !findExecutable(p))
      return missing(id, `${p} is not installed (not on PATH)`);
  }
  const base = { id, available: true, env: {} as Record<string, string> };
  switch (id) {
    case 'node':
      return { ...base, version: `node ${process.version}`, programs: { runner: process.execPath } };
    case 'typescript': {
      try {
        const req = createRequire(import.meta.url);
        const pkg = req.resolve('typescript/package.json');
        const version = (req(pkg) as { version: string }).version;
        return {
          ...base,
          version: `tsc ${version} / node ${process.version}`,
          programs: { runner: process.execPath, tsc: join(dirname(pkg), 'bin', 'tsc') },
        };
      } catch {
        return missing(id, 'the typescript package is not installed (npm install typescript)');
      }
    }
    case 'python': {
      const exe = await run('python3', [
        '-c',
        'import sys; print(sys.executable); print(sys.version.split()[0])',
      ]);
      const [path, version] = exe.split('\n');
      return { ...base, version: `python ${version}`, programs: { runner: path } };
    }
    case 'gcc':
      return {
        ...base,
        version: `gcc ${await run('gcc', ['-dumpfullversion'])}`,
        programs: { compiler: findExecutable('gcc')! },
      };
    case 'rustc': {
      // rustup's proxy needs the real HOME; call the toolchain's own rustc through its sysroot.
      const sysroot = await run('rustc', ['--print', 'sysroot']);
      const rustc = join(sysroot, 'bin', 'rustc');
      const version = (await run(existsSync(rustc) ? rustc : 'rustc', ['--version']))
        .split(' ')
        .slice(0, 2)
        .join(' ');
      return {
        ...base,
        version,
        programs: { compiler: existsSync(rustc) ? rustc : findExecutable('rustc')! },
      };
    }
    case 'java': {
      const v = await run('javac', ['-version']);
      return {
        ...base,
        version: v.split('\n')[0],
        programs: { compiler: findExecutable('javac')!, runner: findExecutable('java')! },
      };
    }
    case 'go': {
      const v = await run('go', ['version']);
      const goroot = await run('go', ['env', 'GOROOT']);
      const cache = process.env.SKILLGATE_GO_CACHE ?? join(tmpdir(), 'skillgate-go-cache');
      return {
        ...base,
        version: v.split(' ').slice(2, 3).join(' ').replace(/^go/, 'go ') || v,
        programs: { compiler: findExecutable('go')! },
        env: {
          GOROOT: goroot,
          GOCACHE: cache,
          GOPATH: join(cache, 'gopath'),
          GO111MODULE: 'off',
          GOTOOLCHAIN: 'local',
        },
      };
    }
    case 'iverilog': {
      const v = (
        await run('iverilog', ['-V']).catch((e: { stdout?: string }) => String(e.stdout ?? ''))
      ).split('\n')[0];
      return {
        ...base,
        version: v.replace(/\s*\(.*$/, '').trim() || 'iverilog',
        programs: { compiler: findExecutable('iverilog')!, runner: findExecutable('vvp')! },
      };
    }
  }
}

const probes = new Map<ToolchainId, Promise<Toolchain>>();

/** Probes a toolchain (runs its version command once per process; cached). Never rejects. */
export function probeToolchain(id: ToolchainId): Promise<Toolchain> {
  let p = probes.get(id);
  if (!p) {
    p = probe(id).catch((err: Error) => missing(id, `probe failed: ${err.message.split('\n')[0]}`));
    probes.set(id, p);
  }
  return p;
}

/** Availability by PATH lookup only, without running anything (for dry-run previews). */
export function toolchainOnPath(id: ToolchainId): { available: boolean; missing: string[] } {
  if (id === 'node') return { available: true, missing: [] };
  if (id === 'typescript') {
    try {
      createRequire(import.meta.url).resolve('typescript/package.json');
      return { available: true, missing: [] };
    } catch {
      return { available: false, missing: ['typescript'] };
    }
  }
  const absent = TOOLCHAIN_PROGRAMS[id].filter((p) => !findExecutable(p));
  return { available: absent.length === 0, missing: absent };
}
