import type { AgentRunResult, AgentStepStatus } from '../agents/agent-types.js';
import { getAgentRun } from '../agents/store/agent-store.js';
import { listAgentSteps } from '../agents/store/step-store.js';
import { SkillgateError } from '../core/errors.js';
import type { Principal } from '../core/principal.js';
import { getEvents, getRun } from '../core/records/run-store.js';
import { recordExpectedSkill, recordRoutingFeedback } from '../memory/routing/routing-feedback.js';
import type { ChatContext, ChatDeps } from './chat-deps.js';
import { CHAT_ACTIONS, type ChatButton, type ChatMessage } from './chat-message.js';
import { noteMessage } from './format/format-lists.js';

/** Step executions whose skill was chosen for the request (and can be judged). */
const RAN = new Set<AgentStepStatus>(['succeeded', 'reused', 'failed']);
/** Agent outcomes that show feedback buttons (a question or a wait has nothing to judge yet). */
const JUDGED = new Set(['succeeded', 'failed', 'escalated']);
/** Alternatives offered after "wrong skill". */
const PICKS = 4;
/** Discord limits a button's custom id (`<action>:<value>`) to 100 characters. */
const MAX_CUSTOM_ID = 100;

/** What a feedback button judges: the request in words and the skill(s) chosen for it. */
export interface FeedbackTarget {
  /** The routed run's query, or the agent run's original request text. */
  query: string;
  /** The chosen skills (distinct), each with the engine run that ran it. */
  chosen: { skill: string; runId: string | null }[];
  /** The router's candidates stored with a routed run's decision, best first. */
  candidates: string[];
}

/** The distinct skills of an agent run's steps that ran, with the first step of each. */
function chosenSteps(steps: AgentRunResult['steps']): Map<string, { step: string; runId: string | null }> {
  const out = new Map<string, { step: string; runId: string | null }>();
  for (const s of steps) {
    if (RAN.has(s.status) && !out.has(s.skillId))
      out.set(s.skillId, { step: s.stepId, runId: s.runId ?? null });
  }
  return out;
}

/**
 * Feedback buttons of an agent answer (succeeded, failed or escalated, with at least one step that
 * ran). One skill: 👍 Right skill / 👎 Wrong skill on the run. Several: one 👍 that confirms every
 * chosen skill, and a 👎 per skill naming its step (at most 4), so the user says which one was
 * wrong. Feedback is recorded against the agent run's request text.
 */
export function agentFeedbackButtons(r: AgentRunResult): ChatButton[] {
  if (!JUDGED.has(r.status)) return [];
  const chosen = chosenSteps(r.steps);
  if (chosen.size === 0) return [];
  if (chosen.size === 1) {
    return [
      { action: CHAT_ACTIONS.feedbackUp, value: r.id, label: '👍 Right skill' },
      { action: CHAT_ACTIONS.feedbackWrong, value: r.id, label: '👎 Wrong skill' },
    ];
  }
  return [
    { action: CHAT_ACTIONS.feedbackUp, value: r.id, label: '👍 Right skills' },
    ...[...chosen].slice(0, PICKS).map(([skill, s]) => ({
      action: CHAT_ACTIONS.feedbackWrong,
      value: `${r.id}:${s.step}`,
      label: `👎 ${s.step}: ${skill}`,
    })),
  ];
}

/**
 * Resolves a feedback value: a routed run id (its query, skill and stored candidates), an agent run
 * id (its request and every chosen skill) or `<agent run>:<step id>` (that step's skill). Tenant-checked.
 */
export async function feedbackTarget(
  deps: ChatDeps,
  principal: Principal,
  value: string,
): Promise<FeedbackTarget> {
  const { db } = deps.app;
  if (value.startsWith('agt_')) {
    const [id, step] = value.split(':');
    const run = await getAgentRun(db, id!, principal.tenant);
    if (!run) throw new SkillgateError('agent.run_not_found', `No agent run "${id}".`, { run: id! });
    const steps = await listAgentSteps(db, run.id, run.planVersion);
    const chosen = chosenSteps(step ? steps.filter((s) => s.stepId === step) : steps);
    if (chosen.size === 0) {
      throw new SkillgateError(
        'request.invalid',
        `Agent run ${id} has no step ${step ?? ''} that ran a skill.`,
        {
          run: id!,
        },
      );
    }
    return {
      query: run.request,
      chosen: [...chosen].map(([skill, s]) => ({ skill, runId: s.runId })),
      candidates: [],
    };
  }
  const run = await getRun(db, value, principal.tenant);
  if (!run) throw new SkillgateError('run.not_found', `No run "${value}".`, { run: value });
  if (!run.query || !run.skillId) {
    throw new SkillgateError(
      'request.invalid',
      `Run ${value} named its skill explicitly; routing feedback needs a run that was routed from a request in words.`,
      { run: value },
    );
  }
  const decision = (await getEvents(db, run.id)).find((e) => e.type === 'routing_candidates');
  const stored = (decision?.data.candidates as { skill?: unknown }[] | undefined) ?? [];
  return {
    query: run.query,
    chosen: [{ skill: run.skillId, runId: run.id }],
    candidates: stored.map((c) => String(c.skill ?? '')).filter(Boolean),
  };
}

/** The skills to offer instead of `wrong`: the stored candidates, else the router's for the query. */
async function alternatives(
  deps: ChatDeps,
  principal: Principal,
  t: FeedbackTarget,
  wrong: string,
  target: string,
): Promise<string[]> {
  const { registry, engine } = deps.app;
  let ids = t.candidates.filter((c) => c !== wrong);
  if (ids.length === 0 && engine.router) {
    ids = (await engine.router.route(t.query, { principal, limit: 8 })).candidates.map((c) => c.skill);
  }
  return [...new Set(ids)]
    .filter((id) => id !== wrong)
    .filter((id) => {
      const skill = registry.get(id);
      return !!skill && !skill.spec.internal;
    })
    .filter((id) => `${CHAT_ACTIONS.feedbackPick}:${target}:${id}`.length <= MAX_CUSTOM_ID)
    .slice(0, PICKS);
}

const quoted = (q: string) => `"${q.slice(0, 80)}${q.length > 80 ? '…' : ''}"`;

/**
 * A feedback click, answered privately. 👍 records `up` for every chosen skill; 👎 records `wrong`
 * for the one judged skill and offers the top alternatives as buttons; a pick names the skill that
 * should have run (`expected`, like `skillgate feedback <run> --expected <skill>`), completing the
 * `wrong` verdict instead of counting it twice.
 */
export async function handleFeedback(
  deps: ChatDeps,
  ctx: ChatContext,
  principal: Principal,
  action:
    | typeof CHAT_ACTIONS.feedbackUp
    | typeof CHAT_ACTIONS.feedbackWrong
    | typeof CHAT_ACTIONS.feedbackPick,
  value: string,
): Promise<void> {
  const { db, embedder, registry } = deps.app;
  const cut = action === CHAT_ACTIONS.feedbackPick ? value.lastIndexOf(':') : value.length;
  const target = value.slice(0, Math.max(0, cut));
  const t = await feedbackTarget(deps, principal, target);
  const base = { tenant: principal.tenant, principal: principal.id, query: t.query };
  if (action === CHAT_ACTIONS.feedbackUp) {
    for (const c of t.chosen) {
      await recordRoutingFeedback(db, embedder, {
        ...base,
        runId: c.runId ?? undefined,
        routedSkill: c.skill,
        verdict: 'up',
      });
    }
    const skills = t.chosen.map((c) => c.skill).join(', ');
    return ctx.replies.private(
      noteMessage(deps.redact(`Thanks: ${quoted(t.query)} → ${skills} noted as right.`), 'success'),
    );
  }
  if (t.chosen.length !== 1) {
    throw new SkillgateError(
      'request.invalid',
      'Say which step ran the wrong skill: use the 👎 button of that step.',
    );
  }
  const [{ skill: routed, runId }] = t.chosen as [FeedbackTarget['chosen'][number]];
  if (action === CHAT_ACTIONS.feedbackPick) {
    const expected = value.slice(cut + 1);
    const skill = registry.get(expected);
    if (!skill || skill.spec.internal) {
      throw new SkillgateError('skill.not_found', `No skill "${expected}".`, { skill: expected });
    }
    await recordExpectedSkill(db, embedder, {
      ...base,
      runId: runId ?? undefined,
      routedSkill: routed,
      expectedSkill: skill.id,
    });
    return ctx.replies.private(
      noteMessage(
        deps.redact(`Thanks: ${quoted(t.query)} → ${skill.id} (not ${routed}); routing will learn from it.`),
        'success',
      ),
    );
  }
  await recordRoutingFeedback(db, embedder, {
    ...base,
    runId: runId ?? undefined,
    routedSkill: routed,
    verdict: 'wrong',
  });
  const picks = await alternatives(deps, principal, t, routed, target);
  return ctx.replies.private(pickerMessage(deps, t.query, routed, target, picks));
}

/** The private answer to "wrong skill": thanks, and the alternatives as buttons when there are any. */
function pickerMessage(
  deps: ChatDeps,
  query: string,
  wrong: string,
  target: string,
  picks: string[],
): ChatMessage {
  const thanks = deps.redact(
    `Thanks: ${wrong} was the wrong skill for ${quoted(query)}; routing will learn from it.`,
  );
  if (picks.length === 0) {
    return noteMessage(`${thanks} Name the skill with \`${deps.commandName} run <skill>\`.`, 'success');
  }
  return {
    ...noteMessage(`${thanks} Which skill was right?`, 'success'),
    buttons: picks.map((id) => ({ action: CHAT_ACTIONS.feedbackPick, value: `${target}:${id}`, label: id })),
  };
}
