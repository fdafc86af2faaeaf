import { createPublicKey, sign, verify } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, normalize } from 'node:path';
import { z } from 'zod';
import { SkillgateError } from '../../core/errors.js';
import { canonicalJson, sha256Hex } from '../../core/hash.js';
import { localPublicKeyId, type SigningKey } from './signing-key.js';

export const ArtifactSchema = z.object({
  path: z.string(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  bytes: z.number().int(),
});

export const ManifestBackendSchema = z.object({
  backend: z.string(),
  status: z.enum(['passed', 'failed', 'skipped', 'rejected']),
  reason: z.string().nullable(),
  toolchain: z.object({ id: z.string(), version: z.string().nullable() }),
  artifacts: z.array(ArtifactSchema),
  tests: z.object({ total: z.number().int(), passed: z.number().int(), failed: z.number().int() }),
  commands: z.array(z.array(z.string())),
  cached: z.boolean(),
});

export const ManifestSchema = z.object({
  format: z.literal('skillgate-provenance/1'),
  spec: z.object({ name: z.string(), sha256: z.string() }),
  emitter_version: z.string(),
  created_at: z.string(),
  sandbox: z.object({ network_isolated: z.boolean(), limits: z.record(z.string(), z.number()) }),
  backends: z.array(ManifestBackendSchema),
  signature: z.object({
    algorithm: z.literal('ed25519'),
    key_id: z.string(),
    public_key: z.string(),
    value: z.string(),
  }),
});
export type Manifest = z.infer<typeof ManifestSchema>;
export type UnsignedManifest = Omit<Manifest, 'signature'>;

/** Signs the canonical JSON of the manifest (every field but `signature`) with Ed25519. */
export function signManifest(unsigned: UnsignedManifest, key: SigningKey): Manifest {
  const value = sign(null, Buffer.from(canonicalJson(unsigned)), key.privateKey).toString('base64');
  return {
    ...unsigned,
    signature: { algorithm: 'ed25519', key_id: key.keyId, public_key: key.publicKeyB64, value },
  };
}

export interface VerifyResult {
  valid: boolean;
  signatureValid: boolean;
  keyId: string;
  /** True when the manifest was signed by this home's key (`$SKILLGATE_HOME/keys`). */
  trustedKey: boolean;
  artifacts: { path: string; ok: boolean; problem?: string }[];
  problems: string[];
}

/**
 * Verifies a manifest file: the schema, the Ed25519 signature over its canonical JSON with the
 * embedded public key (whose id must match), and every artifact's SHA-256 (paths relative to the
 * manifest's folder). `trustedKey` says whether the local key signed it. Throws
 * `provenance.invalid` only when the file is not a manifest at all.
 */
export function verifyManifest(file: string, options: { home?: string } = {}): VerifyResult {
  let parsed: Manifest;
  try {
    parsed = ManifestSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  } catch (err) {
    throw new SkillgateError(
      'provenance.invalid',
      `${file} is not a provenance manifest: ${(err as Error).message.slice(0, 300)}`,
      { file },
    );
  }
  const problems: string[] = [];
  const { signature, ...unsigned } = parsed;
  let signatureValid = false;
  try {
    const der = Buffer.from(signature.public_key, 'base64');
    const publicKey = createPublicKey({ key: der, format: 'der', type: 'spki' });
    const keyId = sha256Hex(der).slice(0, 16);
    if (keyId !== signature.key_id) problems.push('key_id does not match the embedded public key');
    signatureValid =
      keyId === signature.key_id &&
      verify(null, Buffer.from(canonicalJson(unsigned)), publicKey, Buffer.from(signature.value, 'base64'));
  } catch (err) {
    problems.push(`bad public key or signature: ${(err as Error).message}`);
  }
  if (!signatureValid && problems.length === 0)
    problems.push('the signature does not match the manifest content');
  const base = dirname(file);
  const artifacts = parsed.backends.flatMap((b) =>
    b.artifacts.map((a) => {
      const rel = normalize(a.path);
      if (isAbsolute(rel) || rel.startsWith('..'))
        return { path: a.path, ok: false, problem: 'path escapes the manifest folder' };
      const full = join(base, rel);
      if (!existsSync(full)) return { path: a.path, ok: false, problem: 'missing' };
      const hash = sha256Hex(readFileSync(full));
      return hash === a.sha256
        ? { path: a.path, ok: true }
        : { path: a.path, ok: false, problem: `sha256 ${hash.slice(0, 16)}... differs` };
    }),
  );
  for (const a of artifacts) if (!a.ok) problems.push(`${a.path}: ${a.problem}`);
  const trustedKey = options.home ? localPublicKeyId(options.home) === signature.key_id : false;
  return {
    valid: signatureValid && artifacts.every((a) => a.ok),
    signatureValid,
    keyId: signature.key_id,
    trustedKey,
    artifacts,
    problems,
  };
}
