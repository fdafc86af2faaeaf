import { type ChildProcess, spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { inject } from 'vitest';
import { PgliteDb } from '../../src/db/pglite-db.js';
import { signatureHeader } from '../../src/triggers/webhooks/signature.js';
import { cleanEnv } from '../cli/cli-harness.js';

const ROOT = resolve(import.meta.dirname, '../..');
export const CRASH_SKILLS = join(import.meta.dirname, 'fixtures', 'crash-skills');
export const HOOK_SECRET = 'crash-test-secret-0123456789';

/** A home for `skillgate serve` child processes: config, data (PGlite or a Postgres URL), markers. */
export interface ServeHome {
  dir: string;
  home: string;
  configFile: string;
  markers: string;
  remove(): void;
}

export async function createServeHome(extraYaml: string, databaseUrl?: string): Promise<ServeHome> {
  const dir = mkdtempSync(join(tmpdir(), 'skillgate-serve-'));
  const home = join(dir, 'home');
  const markers = join(dir, 'markers');
  mkdirSync(home, { recursive: true });
  mkdirSync(markers);
  if (!databaseUrl) {
    const db = await PgliteDb.open({
      dataDir: join(home, 'pgdata'),
      loadDataDir: new Blob([readFileSync(inject('pgliteTemplate'))]),
    });
    await db.close();
  }
  const configFile = join(dir, 'skillgate.config.yaml');
  writeFileSync(
    configFile,
    `log_level: info
hot_reload: false
${databaseUrl ? `database_url: ${JSON.stringify(databaseUrl)}\n` : ''}principals:
  local: { roles: [admin] }
  bob: { roles: [approver] }
skills_dirs: [${JSON.stringify(CRASH_SKILLS)}]
${extraYaml}`,
  );
  return { dir, home, configFile, markers, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface ServeProcess {
  child: ChildProcess;
  url: string;
  output(): string;
  exited: Promise<number | null>;
}

/** Spawns `skillgate serve --port 0` from source and waits for the URL it prints. */
export function spawnServe(h: ServeHome): Promise<ServeProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'test/cli/run-cli-source.ts', '--config', h.configFile, 'serve', '--port', '0'],
    {
      cwd: ROOT,
      env: { ...cleanEnv(h.home), SKILLGATE_TEST_CRASH_SECRET: HOOK_SECRET, SKILLGATE_LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout!.on('data', (c) => (out += c));
  child.stderr!.on('data', (c) => (out += c));
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
  return new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`serve did not start:\n${out}`)), 60_000);
    const onData = () => {
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        res({ child, url: m[1], output: () => out, exited });
      }
    };
    child.stdout!.on('data', onData);
    exited.then((code) => {
      clearTimeout(timer);
      rej(new Error(`serve exited with ${code}:\n${out}`));
    });
  });
}

/** Waits until the worker of a freshly started server logged that triggers run. */
export async function waitForTriggers(p: ServeProcess, timeoutMs = 30_000): Promise<void> {
  await waitUntil(() => p.output().includes('triggers started'), timeoutMs, 'triggers started');
}

export async function killHard(p: ServeProcess): Promise<void> {
  p.child.kill('SIGKILL');
  await p.exited;
}

/** POSTs a signed JSON delivery to `/hooks/:id`. */
export async function postHook(
  url: string,
  id: string,
  payload: unknown,
): Promise<{ status: number; body: Record<string, unknown> & { job_id: string } }> {
  const body = JSON.stringify(payload);
  const res = await fetch(`${url}/hooks/${id}`, {
    method: 'POST',
    body,
    headers: {
      'content-type': 'application/json',
      'x-skillgate-signature': signatureHeader(HOOK_SECRET, body),
    },
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> & { job_id: string } };
}

export async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string) {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Marker files written by the crash fixtures' handler (`<key>.start.<n>`, `<key>.end.<n>`, `<key>.preview`). */
export function markers(h: ServeHome, key: string): { starts: number; ends: number; previewed: boolean } {
  const files = readdirSync(h.markers);
  return {
    starts: files.filter((f) => f.startsWith(`${key}.start.`)).length,
    ends: files.filter((f) => f.startsWith(`${key}.end.`)).length,
    previewed: existsSync(join(h.markers, `${key}.preview`)),
  };
}
