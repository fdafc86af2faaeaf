import type { Principal } from '../../core/principal.js';
import type { SkillRouter } from '../../core/router-port.js';
import type { Db } from '../../db/db.js';
import type { Embedder } from '../../memory/embedders/embedder.js';
import type { RecalledMemory } from '../../memory/memory-types.js';
import { orTsQuery } from '../../memory/routing/skill-router.js';
import { SemanticMemory } from '../../memory/semantic-memory.js';
import type { SkillRegistry } from '../../tools/registry.js';
import type { Skill } from '../../tools/skill.js';
import { splitRequest } from '../offline/split-request.js';
import { similarAgentRuns } from '../store/agent-store.js';

/** Router score below which a candidate is not offered (beyond the request's best three). */
const MIN_CANDIDATE_SCORE = 0.05;

/** What the planner model sees besides the request: never the whole catalogue. */
export interface PlanContext {
  /** The routed candidate skills (public only), best first. */
  candidates: Skill[];
  memory: RecalledMemory[];
  pastRuns: { request: string; goal: string | null; plan: unknown }[];
}

export interface PlanContextOptions {
  router: SkillRouter;
  registry: SkillRegistry;
  db: Db;
  embedder: Embedder;
  principal: Principal;
  agentRunId: string;
  /** Most candidate skills offered (default 10). */
  maxCandidates?: number;
}

/**
 * Gathers the planner's context: candidate skills routed from the whole request and from each of
 * its clauses (so that a multi-step request offers every skill it needs), the memories relevant
 * to the request, and similar past successful runs with their plans (episodic recall).
 */
export async function gatherPlanContext(request: string, o: PlanContextOptions): Promise<PlanContext> {
  const shape = splitRequest(request);
  const queries = [
    request,
    ...(shape.clauses.length > 1 ? shape.clauses : []),
    ...(shape.quantified ? [shape.quantified.action, shape.quantified.filter] : []),
  ];
  const scores = new Map<string, number>();
  for (const [i, q] of queries.entries()) {
    const r = await o.router.route(q, { principal: o.principal, limit: i === 0 ? 8 : 4 });
    for (const [rank, c] of r.candidates.entries()) {
      // The request's three best candidates always; others only when they score at all.
      if (c.score < MIN_CANDIDATE_SCORE && !(i === 0 && rank < 3)) continue;
      scores.set(c.skill, Math.max(scores.get(c.skill) ?? 0, c.score));
    }
  }
  const candidates = [...scores]
    .sort((a, b) => b[1] - a[1])
    .map(([id]) => o.registry.get(id))
    .filter((s): s is Skill => !!s && !s.spec.internal && !s.spec.deprecated?.disabled)
    .slice(0, o.maxCandidates ?? 10);
  let memory: RecalledMemory[] = [];
  try {
    memory = await new SemanticMemory(o.db, o.embedder).recall(
      { tenant: o.principal.tenant, principalId: o.principal.id },
      { query: request, limit: 5 },
    );
  } catch {
    memory = [];
  }
  const past = await similarAgentRuns(o.db, o.principal.tenant, orTsQuery(request), 3, o.agentRunId);
  return {
    candidates,
    memory,
    pastRuns: past.map((p) => ({ request: p.request, goal: p.goal, plan: p.plan })),
  };
}

/** A candidate skill as the planner prompt shows it. */
export function describeSkillForPlanner(s: Skill): Record<string, unknown> {
  return {
    id: s.id,
    title: s.spec.title,
    description: s.spec.description.slice(0, 400),
    effects: s.spec.effects,
    risk: s.spec.risk,
    input: s.spec.input,
    output: Object.keys(s.spec.output?.properties ?? {}),
  };
}
