import { SkillgateError } from '../../core/errors.js';
import type { Principal } from '../../core/principal.js';
import type { Db } from '../../db/db.js';
import { type Embedder, embedOne } from '../embedders/embedder.js';
import { formatVector } from '../vector/vector-sql.js';

export type FeedbackVerdict = 'correct' | 'wrong' | 'up' | 'down';

export interface RoutingFeedbackInput {
  tenant: string;
  principal: string;
  runId?: string;
  query: string;
  routedSkill?: string | null;
  /** The skill that should have run (for `wrong`); null for "no skill should have run". */
  expectedSkill?: string | null;
  verdict: FeedbackVerdict;
}

/** Similarity above which a past query counts as a paraphrase of the new one. */
const NEAR = 0.55;

export async function recordRoutingFeedback(
  db: Db,
  embedder: Embedder,
  f: RoutingFeedbackInput,
): Promise<void> {
  const vec = formatVector(await embedOne(embedder, f.query));
  await db.query(
    `INSERT INTO routing_feedback (tenant, principal, run_id, query, embedding, routed_skill, expected_skill, verdict, dims)
     VALUES ($1, $2, $3, $4, $5::vector, $6, $7, $8, $9)`,
    [
      f.tenant,
      f.principal,
      f.runId ?? null,
      f.query,
      vec,
      f.routedSkill ?? null,
      f.expectedSkill ?? null,
      f.verdict,
      embedder.dimensions,
    ],
  );
}

/**
 * Feedback on a run (`skillgate feedback <run> --expected <skill>`, thumbs in chat and MCP): the
 * run's query and routed skill are taken from the run record, tenant-checked.
 */
export async function feedbackForRun(
  db: Db,
  embedder: Embedder,
  args: { runId: string; principal: Principal; verdict: FeedbackVerdict; expectedSkill?: string | null },
): Promise<RoutingFeedbackInput> {
  const r = await db.query<{ query: string | null; skill_id: string | null }>(
    'SELECT query, skill_id FROM runs WHERE id = $1 AND tenant = $2',
    [args.runId, args.principal.tenant],
  );
  const run = r.rows[0];
  if (!run) throw new SkillgateError('run.not_found', `No run "${args.runId}".`, { run: args.runId });
  if (!run.query) {
    throw new SkillgateError(
      'request.invalid',
      `Run ${args.runId} named its skill explicitly; routing feedback needs a run that was routed from a request in words.`,
      { run: args.runId },
    );
  }
  const input: RoutingFeedbackInput = {
    tenant: args.principal.tenant,
    principal: args.principal.id,
    runId: args.runId,
    query: run.query,
    routedSkill: run.skill_id,
    expectedSkill: args.expectedSkill,
    verdict: args.verdict,
  };
  await recordRoutingFeedback(db, embedder, input);
  return input;
}

/**
 * Names the skill that should have run for a query already marked wrong (the chat picker after
 * "wrong skill"; like `skillgate feedback <run> --expected <skill>`): fills `expected_skill` of this
 * principal's latest matching `wrong` verdict that has none, so the rejection is not counted twice;
 * records a new `wrong` verdict with the expected skill when there is none to complete.
 */
export async function recordExpectedSkill(
  db: Db,
  embedder: Embedder,
  f: Omit<RoutingFeedbackInput, 'verdict'> & { expectedSkill: string },
): Promise<RoutingFeedbackInput> {
  const input: RoutingFeedbackInput = { ...f, verdict: 'wrong' };
  const r = await db.query<{ id: string }>(
    `UPDATE routing_feedback SET expected_skill = $7 WHERE id = (
       SELECT id FROM routing_feedback
        WHERE tenant = $1 AND principal = $2 AND query = $3 AND routed_skill IS NOT DISTINCT FROM $4
          AND run_id IS NOT DISTINCT FROM $5 AND verdict = $6 AND expected_skill IS NULL
        ORDER BY id DESC LIMIT 1)
     RETURNING id`,
    [f.tenant, f.principal, f.query, f.routedSkill ?? null, f.runId ?? null, 'wrong', f.expectedSkill],
  );
  if (r.rows.length === 0) await recordRoutingFeedback(db, embedder, input);
  return input;
}

/**
 * Per-skill score adjustments from the tenant's feedback: near paraphrases of corrected queries
 * pull towards the expected skill and away from the wrong one; thumbs up/down nudge; skills
 * rejected again and again are demoted slightly everywhere.
 */
export async function feedbackAdjustments(
  db: Db,
  tenant: string,
  vec: string,
  dims: number,
): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const add = (skill: string | null, v: number) => {
    if (skill) out.set(skill, (out.get(skill) ?? 0) + v);
  };
  // One round trip: the nearest past queries and the per-skill rejection counts.
  const rows = await db.query<{
    kind: 'near' | 'rejected';
    routed_skill: string | null;
    expected_skill: string | null;
    verdict: string | null;
    sim: number;
  }>(
    `(SELECT 'near' AS kind, routed_skill, expected_skill, verdict,
        1 - (embedding::vector(${dims}) <=> $2::vector(${dims})) AS sim
      FROM routing_feedback WHERE tenant = $1 AND dims = ${dims}
      ORDER BY embedding::vector(${dims}) <=> $2::vector(${dims}) LIMIT 20)
     UNION ALL
     (SELECT 'rejected', routed_skill, NULL, NULL, count(*)::float8 FROM routing_feedback
      WHERE tenant = $1 AND verdict IN ('wrong', 'down') AND routed_skill IS NOT NULL GROUP BY routed_skill)`,
    [tenant, vec],
  );
  for (const f of rows.rows) {
    if (f.kind === 'rejected') {
      if (f.sim >= 2) add(f.routed_skill, -0.02 * Math.min(f.sim, 5));
      continue;
    }
    if (f.sim < NEAR) continue;
    const w = Math.min(1, (f.sim - NEAR) / (1 - NEAR) + 0.25);
    if (f.verdict === 'wrong') {
      add(f.expected_skill, 0.5 * w);
      add(f.routed_skill, -0.4 * w);
    } else if (f.verdict === 'down') {
      add(f.routed_skill, -0.25 * w);
    } else {
      add(f.routed_skill, 0.1 * w);
    }
  }
  return out;
}
