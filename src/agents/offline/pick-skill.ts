import type { Principal } from '../../core/principal.js';
import type { SkillRouter } from '../../core/router-port.js';
import { contentStems } from '../../memory/embedders/text-features.js';
import type { SkillRegistry } from '../../tools/registry.js';
import type { Skill } from '../../tools/skill.js';
import { cronIn } from './special-slots.js';

export interface SkillPick {
  skill?: Skill;
  confidence: number;
  /** The closest public skills, for a clarifying question. */
  closest: string[];
}

export interface PickOptions {
  router: SkillRouter;
  registry: SkillRegistry;
  principal: Principal;
  /** Keep only skills passing this test (e.g. read-only). */
  filter?: (skill: Skill) => boolean;
  /** Take the best candidate even when the router is not confident (quantified requests). Default false. */
  lenient?: boolean;
}

const TIE = 0.15;
/** A read-only candidate this weak is still preferred to a writing one for a read request. */
const MIN_READ_SCORE = 0.02;

/** How many word stems of the skill id's action part (`send_reminder`) the clause contains. */
function actionWords(skillId: string, clause: Set<string>): number {
  const name = skillId.split('.').at(-1) ?? '';
  return [...contentStems(name.replace(/_/g, ' '))].filter((w) => w.length > 2 && clause.has(w)).length;
}

const QUESTION = /^\s*(?:who|what|which|where|when|how|is|are|was|were|does|do|did|has|have)\b/i;
const READ_VERB = /\b(?:show|list|find|look up|lookup|display|search|give me|tell me)\b/i;
const WRITE_VERB =
  /\b(?:send|remind|chase|delete|remove|purge|wipe|create|add|update|change|restart|deploy|mark|bump|move|set|schedule|forget|remember|save|store|note|record|fetch|ingest|upload|register|onboard|run)\b/i;

/**
 * A request that only asks to see something: a question or a read verb, and no verb that changes
 * anything ("is the payments service up?", "list the customers in Paris").
 */
export function isReadRequest(clause: string): boolean {
  const asks =
    QUESTION.test(clause) ||
    READ_VERB.test(clause) ||
    (/\?\s*$/.test(clause) && !/^\s*(?:can|could|would|will|please)\b/i.test(clause));
  // "every weekday at 8am list ..." asks for a schedule, not for a list now.
  return asks && !WRITE_VERB.test(clause) && !cronIn(clause);
}

/**
 * Routes a clause to one public skill: the router's choice, except that (1) a request that only
 * asks to see something gets the best read-only candidate rather than a skill with effects, and
 * (2) among candidates within 0.15 of the best, the one whose id names the clause's verbs and
 * nouns wins ("restart the payments service" -> ops.restart_service). Below the router's
 * threshold nothing is picked (unless `lenient`): the caller asks a clarifying question.
 */
export async function pickSkill(clause: string, options: PickOptions): Promise<SkillPick> {
  const route = await options.router.route(clause, { principal: options.principal, limit: 8 });
  const cands = route.candidates
    .map((c) => ({ ...c, skill: options.registry.get(c.skill) }))
    .filter((c): c is typeof c & { skill: Skill } => !!c.skill && !c.skill.spec.internal)
    .filter((c) => !options.filter || options.filter(c.skill));
  const closest = cands.slice(0, 3).map((c) => c.skill.id);
  const top = cands[0];
  if (!top) return { confidence: 0, closest };
  if (route.skill === null && !(options.lenient && top.score >= 0.1))
    return { confidence: route.confidence, closest };
  // Asking to see something never picks a skill with effects when a read-only candidate exists.
  if (isReadRequest(clause) && top.skill.spec.effects !== 'read') {
    const read = cands.find((c) => c.skill.spec.effects === 'read' && c.score >= MIN_READ_SCORE);
    if (read) return { skill: read.skill, confidence: read.score, closest };
  }
  const clauseWords = contentStems(clause);
  const near = cands.filter((c) => c.score >= top.score - TIE);
  near.sort(
    (a, b) =>
      actionWords(b.skill.id, clauseWords) - actionWords(a.skill.id, clauseWords) || b.score - a.score,
  );
  return { skill: near[0].skill, confidence: near[0].score, closest };
}
