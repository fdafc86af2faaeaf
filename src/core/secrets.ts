import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';

/**
 * Secrets by env name: from the process env, else `$SKILLGATE_HOME/secrets/.env`. Every value
 * read is remembered so that `redact` can scrub it from logs, errors and outputs.
 */
export class SecretStore {
  private readonly fileValues: Record<string, string>;
  private readonly seen = new Set<string>();

  constructor(
    home: string,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {
    const file = join(home, 'secrets', '.env');
    this.fileValues = existsSync(file)
      ? (parseEnv(readFileSync(file, 'utf8')) as Record<string, string>)
      : {};
  }

  get(name: string): string | undefined {
    const v = this.env[name] ?? this.fileValues[name];
    if (v && v.length >= 4) this.seen.add(v);
    return v;
  }

  /** Replaces every secret value read so far by `***`. */
  redact(text: string): string {
    let out = text;
    for (const v of this.seen) out = out.split(v).join('***');
    return out;
  }

  /** Deep-redacts strings in a JSON value. */
  redactValue<T>(value: T): T {
    if (this.seen.size === 0) return value;
    return JSON.parse(this.redact(JSON.stringify(value ?? null))) as T;
  }
}
