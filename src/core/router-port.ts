import type { Principal } from './principal.js';

export interface RouteCandidate {
  skill: string;
  score: number;
  /** Per-signal scores (vector, fulltext, example, tags, feedback), each in [0, 1]. */
  signals: Record<string, number>;
}

export interface RouteResult {
  /** The chosen skill, or null for "no skill" (below the confidence threshold). */
  skill: string | null;
  confidence: number;
  margin: number;
  reason: string;
  candidates: RouteCandidate[];
}

/** Natural-language routing, implemented in `memory/` and injected into the engine. */
export interface SkillRouter {
  route(query: string, options: { principal: Principal; limit?: number }): Promise<RouteResult>;
}
