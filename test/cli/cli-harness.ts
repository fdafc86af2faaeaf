import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { inject } from 'vitest';
import { main } from '../../src/cli/main.js';
import { PgliteDb } from '../../src/db/pglite-db.js';

/**
 * CLI tests open the embedded database once per command, like the real CLI: give them room on a
 * loaded machine (the defaults are 30 s per test, 60 s per hook).
 */
export const SLOW = { timeout: 120_000 };
export const SETUP_TIMEOUT = 180_000;

export const FIXTURE_SKILLS = resolve(import.meta.dirname, '../fixtures/skills');

/** A temporary Skillgate installation: a config file and a home whose embedded database is migrated. */
export interface CliHome {
  dir: string;
  home: string;
  configFile: string;
  remove(): void;
}

/** The test config: the three starter principals, the fixture pack, quiet logs, no file watching. */
export function testConfigYaml(extra = ''): string {
  return `log_level: warn
hot_reload: false
principals:
  local: { roles: [admin] }
  alice: { roles: [operator] }
  bob: { roles: [approver] }
skills_dirs: [${JSON.stringify(FIXTURE_SKILLS)}]
${extra}`;
}

/**
 * Creates a home whose `pgdata` starts from the migrated test template (~1 s instead of creating a
 * fresh cluster), and a config file next to it.
 */
export async function createCliHome(extraConfig = ''): Promise<CliHome> {
  const dir = mkdtempSync(join(tmpdir(), 'skillgate-cli-'));
  const home = join(dir, 'home');
  mkdirSync(home, { recursive: true });
  const db = await PgliteDb.open({
    dataDir: join(home, 'pgdata'),
    loadDataDir: new Blob([readFileSync(inject('pgliteTemplate'))]),
  });
  await db.close();
  const configFile = join(dir, 'skillgate.config.yaml');
  writeFileSync(configFile, testConfigYaml(extraConfig));
  return { dir, home, configFile, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  json<T = unknown>(): T;
}

function collect(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

/** An environment without the developer's Skillgate variables (so a Postgres URL never leaks in). */
export function cleanEnv(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, SKILLGATE_HOME: home };
  for (const k of [
    'DATABASE_URL',
    'SKILLGATE_CONFIG',
    'SKILLGATE_LOG_LEVEL',
    'SKILLGATE_PORT',
    'SKILLGATE_HOST',
  ])
    delete env[k];
  return env;
}

/** Runs `skillgate --config <file> ...args` in-process (no `--config` when `configFile` is empty) and captures its output. */
export function cli(h: CliHome, ...args: string[]): Promise<CliResult> {
  return cliWith(h, {}, ...args);
}

/** `cli` with options: `ttyStderr` makes stderr look like a terminal (progress output). */
export async function cliWith(
  h: CliHome,
  options: { ttyStderr?: boolean },
  ...args: string[]
): Promise<CliResult> {
  const out = collect();
  const err = collect();
  if (options.ttyStderr) Object.assign(err.stream, { isTTY: true });
  const code = await main(h.configFile ? ['--config', h.configFile, ...args] : args, {
    stdout: out.stream,
    stderr: err.stream,
    env: cleanEnv(h.home),
    cwd: h.dir,
  });
  await new Promise((r) => setImmediate(r));
  const stdout = out.text();
  return { code, stdout, stderr: err.text(), json: <T>() => JSON.parse(stdout) as T };
}
