import { z } from 'zod';
import type { CodeLanguage } from '../parsing/languages.js';
import type { Toolchain, ToolchainId } from '../sandbox/toolchains.js';
import type { CheckedSpec } from './check-spec.js';
import { emitC } from './emitters/c-emitter.js';
import type { EmittedSource } from './emitters/emitter-support.js';
import { emitGo } from './emitters/go-emitter.js';
import { emitJava } from './emitters/java-emitter.js';
import { emitPython } from './emitters/python-emitter.js';
import { emitRust } from './emitters/rust-emitter.js';
import { emitTypeScript } from './emitters/typescript-emitter.js';
import { emitVerilog } from './emitters/verilog-emitter.js';

export const BackendIdSchema = z.enum(['typescript', 'python', 'c', 'rust', 'java', 'go', 'verilog']);
export type BackendId = z.infer<typeof BackendIdSchema>;
export const BACKEND_IDS = BackendIdSchema.options;

/** Commands of a backend, in a workspace holding the emitted file. `{x}` are toolchain programs. */
export interface BackendCommands {
  compile?: string[];
  run: string[];
}

export interface Backend {
  id: BackendId;
  toolchain: ToolchainId;
  emit(spec: CheckedSpec): EmittedSource;
  /** The language restriction sets check the emitted function in, when the checker knows it. */
  checkAs?: CodeLanguage;
  /** Why this spec cannot use this backend, if it cannot. */
  unsupported?(spec: CheckedSpec): string | undefined;
  commands(file: string, t: Toolchain): BackendCommands;
}

const p = (t: Toolchain, role: string, fallback: string) => t.programs[role] ?? fallback;

/** Every backend: its emitter, toolchain and the exact commands it runs (shown in previews). */
export const BACKENDS: Record<BackendId, Backend> = {
  typescript: {
    id: 'typescript',
    toolchain: 'typescript',
    emit: emitTypeScript,
    checkAs: 'typescript',
    commands: (file, t) => ({
      compile: [
        p(t, 'runner', 'node'),
        p(t, 'tsc', 'tsc'),
        '--strict',
        '--target',
        'es2020',
        '--lib',
        'es2020',
        '--module',
        'commonjs',
        '--outDir',
        'out',
        file,
      ],
      run: [p(t, 'runner', 'node'), 'out/main.js'],
    }),
  },
  python: {
    id: 'python',
    toolchain: 'python',
    emit: emitPython,
    checkAs: 'python',
    commands: (file, t) => ({
      compile: [p(t, 'runner', 'python3'), '-m', 'py_compile', file],
      run: [p(t, 'runner', 'python3'), '-B', file],
    }),
  },
  c: {
    id: 'c',
    toolchain: 'gcc',
    emit: emitC,
    checkAs: 'c',
    commands: (file, t) => ({
      compile: [p(t, 'compiler', 'gcc'), '-std=c11', '-O2', '-Wall', '-Wextra', '-o', 'main', file, '-lm'],
      run: ['./main'],
    }),
  },
  rust: {
    id: 'rust',
    toolchain: 'rustc',
    emit: emitRust,
    commands: (file, t) => ({
      compile: [p(t, 'compiler', 'rustc'), '-O', '--edition', '2021', '-o', 'main', file],
      run: ['./main'],
    }),
  },
  java: {
    id: 'java',
    toolchain: 'java',
    emit: emitJava,
    commands: (file, t) => ({
      compile: [p(t, 'compiler', 'javac'), '-J-Xmx256m', '-d', '.', file],
      run: [p(t, 'runner', 'java'), '-Xmx128m', '-XX:+UseSerialGC', '-Xshare:auto', '-cp', '.', 'Main'],
    }),
  },
  go: {
    id: 'go',
    toolchain: 'go',
    emit: emitGo,
    commands: (file, t) => ({
      compile: [p(t, 'compiler', 'go'), 'build', '-o', 'main', file],
      run: ['./main'],
    }),
  },
  verilog: {
    id: 'verilog',
    toolchain: 'iverilog',
    emit: emitVerilog,
    unsupported: (s) =>
      s.integerOnly ? undefined : 'the Verilog backend takes integer-only specs (int and bool, no arrays)',
    commands: (file, t) => ({
      compile: [p(t, 'compiler', 'iverilog'), '-g2012', '-o', 'sim', file],
      run: [p(t, 'runner', 'vvp'), '-n', 'sim'],
    }),
  },
};
