import type { SkillRegistry } from '../tools/registry.js';
import { SkillgateError } from './errors.js';
import type { EventCollector } from './event-collector.js';
import type { Principal } from './principal.js';
import type { SkillRouter } from './router-port.js';
import type { RunRequest } from './run-request.js';

/**
 * Resolves the skill of a request: `req.skill`, or the router's choice for `req.query` (emitting
 * `routing_candidates` and `routing_decision`). Throws `request.invalid` when neither is given,
 * `skill.not_found` when there is no router, no confident match, no such skill, or the skill is
 * internal and the request is not a pipeline step (no `parentRunId`).
 */
export async function resolveEntry(
  registry: SkillRegistry,
  router: SkillRouter | undefined,
  req: RunRequest,
  principal: Principal,
  ev: EventCollector,
) {
  let skillId = req.skill;
  if (!skillId) {
    if (!req.query?.trim()) {
      throw new SkillgateError('request.invalid', 'Name a skill, or give a request in words for the router.');
    }
    if (!router) {
      throw new SkillgateError(
        'skill.not_found',
        'No skill was named and no router is configured; name the skill.',
      );
    }
    const route = await router.route(req.query, { principal });
    ev.emit('routing_candidates', { candidates: route.candidates.slice(0, 5) });
    ev.emit('routing_decision', {
      skill: route.skill,
      confidence: route.confidence,
      margin: route.margin,
      reason: route.reason,
    });
    if (!route.skill) {
      const closest = route.candidates.slice(0, 3).map((c) => c.skill);
      throw new SkillgateError(
        'skill.not_found',
        `No skill matches "${req.query.slice(0, 100)}" confidently.${closest.length ? ` Closest: ${closest.join(', ')}.` : ''}`,
        { query: req.query.slice(0, 200), suggestions: closest.join(',') },
      );
    }
    skillId = route.skill;
  }
  const entry = registry.require(skillId);
  if (entry.skill.spec.internal && !req.parentRunId) {
    throw new SkillgateError('skill.not_found', `${skillId} is internal: it runs only as a pipeline step.`, {
      skill: skillId,
    });
  }
  return entry;
}
