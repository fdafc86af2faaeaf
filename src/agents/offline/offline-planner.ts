import type { Principal } from '../../core/principal.js';
import type { SkillRouter } from '../../core/router-port.js';
import { formatIssues, type JsonSchemaNode } from '../../tools/json-schema-subset.js';
import type { SkillRegistry } from '../../tools/registry.js';
import type { Skill } from '../../tools/skill.js';
import type { Plan, PlanStep } from '../plan/plan-schema.js';
import { type EntityCatalog, type EntityMention, findEntities } from './entity-catalog.js';
import { singular } from './extract-values.js';
import { fillSlots } from './fill-slots.js';
import { pickSkill } from './pick-skill.js';
import { isFreeText, QUOTE_TARGETS } from './slot-rules.js';
import { referenceIn, splitRequest } from './split-request.js';

/** Recorded as the prompt of offline plans and their steps. */
export const OFFLINE_PLANNER_REF = 'offline-planner@1';

export interface OfflinePlannerOptions {
  router: SkillRouter;
  registry: SkillRegistry;
  principal: Principal;
  catalog: EntityCatalog;
  today: Date;
}

type ClauseResult = { step: PlanStep; note: string } | { question: string };

const PREFERRED_FIELDS = ['text', 'headline', 'answer', 'summary'];

/** The property of the current skill a reference to an earlier output fills. */
function referenceTarget(schema: JsonSchemaNode): string | undefined {
  const props = schema.properties ?? {};
  return (
    (schema.required ?? []).find((p) => props[p] && isFreeText(props[p])) ??
    QUOTE_TARGETS.find((p) => props[p] && isFreeText(props[p]))
  );
}

/** A template for "its headline" / "it" against the previous step's declared output. */
function referenceTemplate(clause: string, prev: { id: string; skill: Skill }): string | undefined {
  const ref = referenceIn(clause);
  if (!ref) return undefined;
  const fields = Object.keys(prev.skill.spec.output?.properties ?? {});
  const field =
    fields.find((f) => ref.field && (f === ref.field || singular(f) === singular(ref.field))) ??
    PREFERRED_FIELDS.find((f) => fields.includes(f));
  if (ref.field && !fields.some((f) => f === ref.field || singular(f) === singular(ref.field!)) && !field)
    return undefined;
  return field ? `{{ steps.${prev.id}.output.${field} }}` : `{{ steps.${prev.id}.output | json }}`;
}

function askFor(skill: Skill, missing: { name: string; description?: string }[]): string {
  const parts = missing.map((m) =>
    m.description ? `${m.name} (${m.description.replace(/\.$/, '')})` : m.name,
  );
  const example = missing.map((m) => `${m.name}=...`).join(' ');
  return `To ${skill.spec.title.toLowerCase()} (${skill.id}) I need: ${parts.join('; ')}. Please add them, e.g. ${example}.`;
}

/** Fills a clause's input; drops optional fields the schema rejects; asks when required ones are missing. */
function fillFor(
  skill: Skill,
  clause: string,
  o: OfflinePlannerOptions,
  preset: Record<string, unknown>,
  carried: EntityMention[] = [],
) {
  const entities = [...findEntities(clause, o.catalog), ...carried];
  const fill = fillSlots(clause, skill.spec.input, { entities, today: o.today, preset });
  if (fill.missing.length) return { question: askFor(skill, fill.missing) };
  const input = { ...fill.input };
  const required = new Set(skill.spec.input.required ?? []);
  const dynamic = (v: unknown) => typeof v === 'string' && v.includes('{{');
  for (let i = 0; i < 3; i++) {
    const fixed = Object.fromEntries(Object.entries(input).filter(([, v]) => !dynamic(v)));
    const parsed = skill.inputSchema.safeParse(fixed);
    if (parsed.success) break;
    const issues = parsed.error.issues.filter(
      (x) => !(typeof x.path[0] === 'string' && dynamic(input[x.path[0]])),
    );
    if (issues.length === 0) break;
    const bad = issues.map((x) => x.path[0]).filter((k): k is string => typeof k === 'string');
    const fatal = bad.filter((k) => required.has(k));
    if (fatal.length || bad.length === 0) {
      return { question: `For ${skill.id}: ${formatIssues(parsed.error)}. Please correct it.` };
    }
    for (const k of bad) delete input[k];
  }
  const props = skill.spec.input.properties ?? {};
  if (Object.keys(input).length === 0 && props.query && isFreeText(props.query)) {
    const topic = clause
      .replace(/^\s*(?:please\s+)?[a-z]+\s+(?:(?:about|everything about|what you know about)\s+)?/i, '')
      .trim();
    if (topic && topic !== clause) input.query = topic;
  }
  const effectful = skill.spec.effects !== 'read';
  if (
    effectful &&
    Object.keys(input).length === 0 &&
    Object.keys(skill.spec.input.properties ?? {}).length > 0
  ) {
    const names = Object.keys(skill.spec.input.properties ?? {}).slice(0, 6);
    return { question: `Which ${names.join(', ')} should ${skill.id} use? Name them, e.g. ${names[0]}=...` };
  }
  return { input, sources: fill.sources };
}

async function planClause(
  clause: string,
  index: number,
  prev: { id: string; skill: Skill; clause: string } | undefined,
  o: OfflinePlannerOptions,
): Promise<ClauseResult & { skill?: Skill }> {
  const pick = await pickSkill(clause, o);
  if (!pick.skill) {
    const closest = pick.closest.length ? ` The closest skills are ${pick.closest.join(', ')}.` : '';
    return {
      question: `I could not tell which skill should handle "${clause}".${closest} Please rephrase or name the skill.`,
    };
  }
  const skill = pick.skill;
  const preset: Record<string, unknown> = {};
  const needs: string[] = [];
  const tpl = prev ? referenceTemplate(clause, prev) : undefined;
  const target = referenceTarget(skill.spec.input);
  if (prev && tpl && target) {
    preset[target] = tpl;
    needs.push(prev.id);
  }
  // A skill that takes another skill's id (schedules.create): the clause names that skill too.
  const props = skill.spec.input.properties ?? {};
  if (props.skill?.type === 'string' && props.skill.pattern && !preset.skill) {
    const other = await pickSkill(clause, { ...o, filter: (s) => s.id !== skill.id, lenient: true });
    if (other.skill) preset.skill = other.skill.id;
  }
  // "their", "them", "it": the entities named in the previous clause carry over.
  const carried =
    prev && referenceIn(clause)
      ? findEntities(prev.clause, o.catalog).map((e) => ({ ...e, start: -1, end: -1 }))
      : [];
  const filled = fillFor(skill, clause, o, preset, carried);
  if ('question' in filled) return { question: filled.question! };
  const id = `s${index + 1}`;
  const how = Object.entries(filled.sources ?? {})
    .map(([k, v]) => `${k} from ${v}`)
    .join(', ');
  return {
    skill,
    step: { id, skill: skill.id, input: filled.input!, needs },
    note: `${id}: ${skill.id} (router confidence ${pick.confidence.toFixed(2)})${how ? `; ${how}` : ''}${needs.length ? `; uses ${needs.join(', ')}` : ''}`,
  };
}

/** "<action> everyone with <condition>": list the condition, then run the action once per item. */
async function quantifiedPlan(action: string, filter: string, request: string, o: OfflinePlannerOptions) {
  const list = (await pickSkill(filter, { ...o, filter: (s) => s.spec.effects === 'read', lenient: true }))
    .skill;
  if (!list) return undefined;
  const act = (
    await pickSkill(request, {
      ...o,
      filter: (s) => s.spec.effects !== 'read' && s.id !== list.id,
      lenient: true,
    })
  ).skill;
  const outputs = list.spec.output?.properties ?? {};
  const arrayProp = Object.keys(outputs).find((k) => outputs[k].type === 'array');
  if (!act || !arrayProp) return undefined;
  const props = act.spec.input.properties ?? {};
  const bound = Object.keys(props).find((p) => p === singular(arrayProp));
  if (!bound) return undefined;
  const key = /number/i.test(props[bound].description ?? '') ? 'number' : 'id';
  const first = fillFor(list, filter, o, {});
  if ('question' in first)
    return { goal: request, steps: [], rationale: 'offline', clarification: first.question };
  const second = fillFor(act, action, o, { [bound]: `{{ item.${key} }}` });
  if ('question' in second)
    return { goal: request, steps: [], rationale: 'offline', clarification: second.question };
  const plan: Plan = {
    goal: request,
    steps: [
      { id: 's1', skill: list.id, input: first.input!, needs: [] },
      {
        id: 's2',
        skill: act.id,
        input: second.input!,
        needs: ['s1'],
        for_each: `{{ steps.s1.output.${arrayProp} }}`,
      },
    ],
    rationale: `Offline plan: s1 ${list.id} lists what "${filter}" selects; s2 runs ${act.id} once per item of its ${arrayProp} (${bound} = item.${key}).`,
  };
  return plan;
}

/**
 * The deterministic planner used when no model is configured: the request is split into clauses
 * ("then", ";", "and also", or "<action> everyone with <condition>"), each clause is routed to a
 * skill, and its input is filled from the words against the skill's input schema. References
 * such as "its headline" bind to the previous step's declared output. A missing required input or
 * an unroutable clause yields a clarifying question instead of a guess.
 */
export async function offlinePlan(request: string, options: OfflinePlannerOptions): Promise<Plan> {
  const shape = splitRequest(request);
  if (shape.quantified) {
    const q = await quantifiedPlan(shape.quantified.action, shape.quantified.filter, request, options);
    if (q) return q;
  }
  const steps: PlanStep[] = [];
  const notes: string[] = [];
  const questions: string[] = [];
  let prev: { id: string; skill: Skill; clause: string } | undefined;
  for (const [i, clause] of shape.clauses.entries()) {
    const r = await planClause(clause, i, prev, options);
    if ('question' in r) {
      questions.push(r.question);
      continue;
    }
    steps.push(r.step);
    notes.push(r.note);
    prev = { id: r.step.id, skill: r.skill!, clause };
  }
  if (questions.length) {
    return {
      goal: request,
      steps: [],
      rationale: 'Offline plan: a required input is missing.',
      clarification: questions.join(' '),
    };
  }
  return { goal: request, steps, rationale: `Offline plan: ${notes.join('; ')}.` };
}
