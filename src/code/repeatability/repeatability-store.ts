import { randomUUID } from 'node:crypto';
import type { Queryable } from '../../db/db.js';
import type { RepeatabilityReport } from './measure-repeatability.js';
import type { RepeatabilityMetrics } from './repeatability-metrics.js';

export interface StoredRepeatability {
  id: string;
  contract: string;
  level: string;
  samples: number;
  metrics: RepeatabilityMetrics;
  createdAt: Date;
}

/** Stores a report's metrics and distribution; returns the new result id. */
export async function saveRepeatability(
  db: Queryable,
  tenant: string,
  report: RepeatabilityReport,
  runId?: string,
): Promise<string> {
  const id = `rep_${randomUUID().replaceAll('-', '').slice(0, 20)}`;
  await db.query(
    `INSERT INTO code_repeatability_runs (id, tenant, contract_id, run_id, level, source, samples, metrics, distribution)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [
      id,
      tenant,
      report.contract,
      runId ?? null,
      report.level,
      report.source,
      report.metrics.n,
      JSON.stringify(report.metrics),
      JSON.stringify(report.distribution),
    ],
  );
  return id;
}

/** Earlier results for a contract at a level, newest first (for comparison across runs). */
export async function listRepeatability(
  db: Queryable,
  tenant: string,
  contract: string,
  options: { level?: string; limit?: number; excludeId?: string } = {},
): Promise<StoredRepeatability[]> {
  const { rows } = await db.query<{
    id: string;
    contract_id: string;
    level: string;
    samples: number;
    metrics: RepeatabilityMetrics;
    created_at: Date;
  }>(
    `SELECT id, contract_id, level, samples, metrics, created_at FROM code_repeatability_runs
      WHERE tenant = $1 AND contract_id = $2 AND ($3::text IS NULL OR level = $3) AND ($4::text IS NULL OR id <> $4)
      ORDER BY created_at DESC, id DESC LIMIT $5`,
    [tenant, contract, options.level ?? null, options.excludeId ?? null, options.limit ?? 10],
  );
  return rows.map((r) => ({
    id: r.id,
    contract: r.contract_id,
    level: r.level,
    samples: r.samples,
    metrics: r.metrics,
    createdAt: r.created_at,
  }));
}
