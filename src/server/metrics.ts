import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { SkillgateApp } from '../core/app.js';
import type { EngineEvent } from '../core/events.js';
import { periods } from '../core/gates/budget.js';

/** A Prometheus registry of one app, fed by its engine's events. */
export interface AppMetrics {
  registry: Registry;
  /** Prometheus text exposition of every metric. */
  render(): Promise<string>;
  contentType: string;
  /** Stops listening to the engine. */
  dispose(): void;
}

export interface AppMetricsOptions {
  /** Also export Node process metrics (CPU, memory, event loop; default true). */
  defaultMetrics?: boolean;
}

/**
 * Metrics of one Skillgate app on its own `Registry` (never the global one, so several apps in one
 * process stay apart): `skillgate_runs_total{skill,status}`, `skillgate_run_duration_seconds{skill}`,
 * `skillgate_approvals_total{event}`, `skillgate_budget_used_usd{tenant,scope,period}` (read from
 * `budget_usage` at scrape time, current day and month), `skillgate_skills_loaded`, plus process metrics.
 */
export function createAppMetrics(app: SkillgateApp, options: AppMetricsOptions = {}): AppMetrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  const runs = new Counter({
    name: 'skillgate_runs_total',
    help: 'Runs by skill and final status (pipeline steps count as runs).',
    labelNames: ['skill', 'status'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'skillgate_run_duration_seconds',
    help: 'Duration of executed runs, from request to recorded outcome.',
    labelNames: ['skill'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry],
  });
  const approvals = new Counter({
    name: 'skillgate_approvals_total',
    help: 'Approval events: requested, vote, approved, denied, expired.',
    labelNames: ['event'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'skillgate_budget_used_usd',
    help: 'Spend recorded in the budget ledger for the current day and month.',
    labelNames: ['tenant', 'scope', 'period'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const p = periods(new Date());
      const r = await app.db.query<{ tenant: string; scope: string; period: string; used_usd: number }>(
        'SELECT tenant, scope, period, used_usd FROM budget_usage WHERE period = $1 OR period = $2',
        [p.day, p.month],
      );
      for (const row of r.rows) {
        this.set(
          { tenant: row.tenant, scope: row.scope, period: row.period.split(':')[0] },
          Number(row.used_usd),
        );
      }
    },
  });
  new Gauge({
    name: 'skillgate_skills_loaded',
    help: 'Skills currently loaded in the registry.',
    registers: [registry],
    collect() {
      this.set(app.registry.size);
    },
  });

  const onEvent = (e: EngineEvent) => {
    const skill = e.skillId ?? 'unknown';
    switch (e.type) {
      case 'execution_result': {
        runs.inc({ skill, status: String(e.data.status ?? 'unknown') });
        const ms = e.data.duration_ms;
        if (typeof ms === 'number') duration.observe({ skill }, ms / 1000);
        break;
      }
      case 'approval_requested':
        approvals.inc({ event: 'requested' });
        break;
      case 'approval_decided': {
        const status = e.data.status;
        approvals.inc({ event: status === 'approved' || status === 'denied' ? status : 'vote' });
        break;
      }
      case 'approval_expired':
        approvals.inc({ event: 'expired' });
        break;
    }
  };
  app.engine.on('event', onEvent);
  return {
    registry,
    contentType: registry.contentType,
    render: () => registry.metrics(),
    dispose: () => {
      app.engine.off('event', onEvent);
    },
  };
}
