import { DEFAULT_LIMITS, sandboxArgv, sandboxCapabilities } from '../sandbox/sandbox.js';
import { type Toolchain, toolchainOnPath } from '../sandbox/toolchains.js';
import { BACKENDS, type BackendId } from '../spec/backends.js';
import type { CheckedSpec } from '../spec/check-spec.js';
import { COMPILE_LIMITS } from './run-backend.js';

/**
 * What `code.compile` would do, without running anything but a PATH lookup: per backend the file
 * it would emit (and its hash), whether the toolchain is on PATH, and the exact sandboxed commands.
 */
export function previewCompile(spec: CheckedSpec, backends: readonly BackendId[], restrictionSet?: string) {
  const caps = sandboxCapabilities();
  return {
    spec: { name: spec.name, sha256: spec.hash, tests: spec.tests.length },
    restriction_set: restrictionSet ?? null,
    sandbox: {
      network_isolated: caps.network,
      run_limits: { ...DEFAULT_LIMITS, ...spec.spec.limits },
      compile_limits: { ...DEFAULT_LIMITS, ...COMPILE_LIMITS },
    },
    backends: backends.map((id) => {
      const b = BACKENDS[id];
      const unsupported = b.unsupported?.(spec);
      const fileName = unsupported ? '' : b.emit(spec).fileName;
      const onPath = toolchainOnPath(b.toolchain);
      const placeholder: Toolchain = {
        id: b.toolchain,
        available: onPath.available,
        version: null,
        programs: {},
        env: {},
      };
      const cmds = b.commands(fileName, placeholder);
      return {
        backend: id,
        file: fileName || null,
        toolchain: b.toolchain,
        would_run: unsupported ? false : onPath.available,
        skip_reason: unsupported ?? (onPath.available ? null : `not installed: ${onPath.missing.join(', ')}`),
        commands: unsupported
          ? []
          : [cmds.compile, cmds.run].filter((c): c is string[] => !!c).map((c) => c.join(' ')),
        sandboxed_as: sandboxArgv(cmds.run, { ...DEFAULT_LIMITS }, caps).join(' '),
      };
    }),
    summary: `Compile ${spec.name} to ${backends.join(', ')} and run ${spec.tests.length} test vector(s) per backend in the sandbox${caps.network ? ' (no network)' : ''}; sign the provenance manifest.`,
  };
}
