import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseEnv } from 'node:util';

/** `$SKILLGATE_HOME/secrets/.env`, the file `SecretStore` reads after the process env. */
export function secretsFile(home: string): string {
  return join(home, 'secrets', '.env');
}

/** An env var name: `SKILLGATE_<PARTS>` upper-cased, anything but letters and digits as `_`. */
export function envName(...parts: string[]): string {
  return ['SKILLGATE', ...parts]
    .join('_')
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '_')
    .replace(/_+$/, '');
}

function quote(value: string): string {
  if (/[\n\r]/.test(value)) throw new Error('a secret value cannot contain a line break');
  return /^[A-Za-z0-9_./:@+-]*$/.test(value)
    ? value
    : `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/**
 * Sets (or with `undefined`, removes) keys in an env file, keeping every other line, and writes
 * it atomically with mode 0600 (its folder 0700). Values are never logged.
 */
export function upsertEnvFile(file: string, entries: Record<string, string | undefined>): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const lines = existsSync(file) ? readFileSync(file, 'utf8').split('\n') : [];
  const pending = new Map(Object.entries(entries));
  const out: string[] = [];
  for (const line of lines) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=/.exec(line);
    if (m && pending.has(m[1])) {
      const v = pending.get(m[1]);
      pending.delete(m[1]);
      if (v !== undefined) out.push(`${m[1]}=${quote(v)}`);
      continue;
    }
    out.push(line);
  }
  while (out.length && out[out.length - 1] === '') out.pop();
  for (const [k, v] of pending) if (v !== undefined) out.push(`${k}=${quote(v)}`);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${out.join('\n')}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

/**
 * Adds keys (without values) to an `.env.example` file that documents which variables a
 * deployment needs; existing lines are kept.
 */
export function addToEnvExample(file: string, keys: string[], comment?: string): void {
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const present = new Set([...text.matchAll(/^\s*#?\s*([A-Za-z_][A-Za-z0-9_]*)=/gm)].map((m) => m[1]));
  const missing = keys.filter((k) => !present.has(k));
  if (missing.length === 0) return;
  const block = [...(comment ? [`# ${comment}`] : []), ...missing.map((k) => `${k}=`)].join('\n');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${text}${text && !text.endsWith('\n') ? '\n' : ''}${block}\n`);
}

const cache = new Map<string, { stamp: string; values: Record<string, string> }>();

/**
 * A secret by env name: the process env first, else the env file as it is on disk now (re-read
 * when it changed), so that secrets added by the CLI reach a running server without a restart.
 */
export function readSecret(
  home: string,
  name: string,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  if (env[name]) return env[name];
  const file = secretsFile(home);
  if (!existsSync(file)) return undefined;
  const st = statSync(file);
  const stamp = `${st.ino}:${st.mtimeMs}:${st.size}`;
  let entry = cache.get(file);
  if (!entry || entry.stamp !== stamp) {
    entry = { stamp, values: parseEnv(readFileSync(file, 'utf8')) as Record<string, string> };
    cache.set(file, entry);
  }
  return entry.values[name];
}
