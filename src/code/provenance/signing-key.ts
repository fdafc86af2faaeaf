import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** Base64 of the DER SubjectPublicKeyInfo. */
  publicKeyB64: string;
  /** First 16 hex chars of the SHA-256 of the DER public key. */
  keyId: string;
}

/** Where the provenance key lives: `$SKILLGATE_HOME/keys/provenance-ed25519.pem` (0600). */
export function keyPath(home: string): string {
  return join(home, 'keys', 'provenance-ed25519.pem');
}

export function publicKeyInfo(publicKey: KeyObject): { publicKeyB64: string; keyId: string } {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return {
    publicKeyB64: der.toString('base64'),
    keyId: createHash('sha256').update(der).digest('hex').slice(0, 16),
  };
}

/**
 * The Ed25519 key that signs provenance manifests, created on first use (private key PEM, mode
 * 0600, in a 0700 folder). The same home always signs with the same key.
 */
export function loadOrCreateSigningKey(home: string): SigningKey {
  const file = keyPath(home);
  let privateKey: KeyObject;
  if (existsSync(file)) {
    privateKey = createPrivateKey(readFileSync(file, 'utf8'));
  } else {
    mkdirSync(join(home, 'keys'), { recursive: true, mode: 0o700 });
    privateKey = generateKeyPairSync('ed25519').privateKey;
    writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
    chmodSync(file, 0o600);
  }
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, ...publicKeyInfo(publicKey) };
}

/** The local public key, if a key exists (verification never creates one). */
export function localPublicKeyId(home: string): string | undefined {
  const file = keyPath(home);
  if (!existsSync(file)) return undefined;
  return publicKeyInfo(createPublicKey(createPrivateKey(readFileSync(file, 'utf8')))).keyId;
}
