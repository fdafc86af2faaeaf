import { appendAudit } from '../../src/core/audit/audit-log.js';
import { newId } from '../../src/core/ids.js';
import type { RunRecord } from '../../src/core/records/run-record.js';
import { insertRun } from '../../src/core/records/run-store.js';
import type { Db } from '../../src/db/db.js';

export interface RunFixture {
  tenant?: string;
  principal: string;
  skill: string;
  status?: RunRecord['status'];
  mode?: RunRecord['mode'];
  cost?: number;
  tokens?: number;
  at: Date;
  parent?: string;
  durationMs?: number;
  error?: { code: string; message: string };
}

/** Inserts a run with the engine's own record store and its audit entry (`run.<status>`); returns its id. */
export async function addRun(db: Db, f: RunFixture): Promise<string> {
  const id = newId('run');
  const tenant = f.tenant ?? 'default';
  const status = f.status ?? 'succeeded';
  await db.tx(async (q) => {
    await insertRun(q, {
      id,
      tenant,
      requestId: newId('req'),
      parentRunId: f.parent,
      principal: f.principal,
      channel: 'cli',
      skillId: f.skill,
      skillVersion: '1.0.0',
      input: {},
      mode: f.mode ?? 'execute',
      status,
      error: f.error,
      costUsd: f.cost ?? 0,
      tokens: f.tokens ?? 0,
      attempts: 1,
      createdAt: f.at,
      finishedAt: f.at,
      durationMs: f.durationMs ?? 10,
    });
    await appendAudit(q, [
      { tenant, actor: f.principal, action: `run.${status}`, target: f.skill, runId: id, ts: f.at },
    ]);
  });
  return id;
}

/** An LLM call in the budget ledger. */
export async function addLlmCall(
  db: Db,
  f: {
    tenant?: string;
    principal: string;
    skill: string;
    usd: number;
    model: string;
    input: number;
    output: number;
    at: Date;
  },
): Promise<void> {
  await db.query(
    `INSERT INTO budget_ledger (tenant, principal, skill_id, kind, usd, model, input_tokens, output_tokens, created_at)
     VALUES ($1, $2, $3, 'llm', $4, $5, $6, $7, $8)`,
    [f.tenant ?? 'default', f.principal, f.skill, f.usd, f.model, f.input, f.output, f.at],
  );
}
