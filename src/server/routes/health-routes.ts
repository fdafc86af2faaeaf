import type { Hono } from 'hono';
import type { SkillgateApp } from '../../core/app.js';
import { type Migration, migrationsUpToDate } from '../../db/migrate.js';

export interface HealthRoutesOptions {
  /** The shipped migrations, read once; `/readyz` checks the database has them all. */
  migrations: Migration[];
  /** How long the database may take to answer `/readyz` (default 2000 ms). */
  dbTimeoutMs?: number;
}

type CheckResult = { ok: true; detail?: string } | { ok: false; detail: string };

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/**
 * `GET /healthz`: the process is up (200 `{status: 'ok'}`).
 * `GET /readyz`: 200 only when the database answers, every migration is applied and the registry
 * has loaded skills; otherwise 503 naming the failed checks.
 */
export function mountHealthRoutes(hono: Hono, app: SkillgateApp, options: HealthRoutesOptions): void {
  const timeoutMs = options.dbTimeoutMs ?? 2000;
  hono.get('/healthz', (c) => c.json({ status: 'ok' }));
  hono.get('/readyz', async (c) => {
    const checks: Record<string, CheckResult> = {};
    try {
      await withTimeout(app.db.query('SELECT 1'), timeoutMs);
      checks.database = { ok: true };
    } catch (err) {
      checks.database = { ok: false, detail: `database unreachable: ${(err as Error).message}` };
    }
    if (checks.database.ok) {
      try {
        const upToDate = await withTimeout(migrationsUpToDate(app.db, options.migrations), timeoutMs);
        checks.migrations = upToDate
          ? { ok: true }
          : { ok: false, detail: 'pending migrations: run `skillgate db migrate`' };
      } catch (err) {
        checks.migrations = { ok: false, detail: (err as Error).message };
      }
    } else {
      checks.migrations = { ok: false, detail: 'not checked: the database is unreachable' };
    }
    const size = app.registry.size;
    checks.skills =
      size > 0 ? { ok: true, detail: `${size} loaded` } : { ok: false, detail: 'no skills loaded' };
    const failed = Object.entries(checks)
      .filter(([, r]) => !r.ok)
      .map(([name]) => name);
    const body = {
      status: failed.length === 0 ? 'ok' : 'unavailable',
      checks: Object.fromEntries(
        Object.entries(checks).map(([k, r]) => [k, r.ok ? (r.detail ?? 'ok') : r.detail]),
      ),
      ...(failed.length ? { failed } : {}),
    };
    return c.json(body, failed.length === 0 ? 200 : 503);
  });
}
