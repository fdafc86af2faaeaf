import { getApproval } from '../core/approvals/approval-store.js';
import { SkillgateError } from '../core/errors.js';
import type { Principal } from '../core/principal.js';
import type { RunResult } from '../core/run-request.js';
import { coerceValue } from '../tools/parse-key-values.js';
import { agentMessage, postAgentCards } from './agent-in-chat.js';
import type { ChatContext, ChatDeps } from './chat-deps.js';
import type { ChatPlace, PostedMessage, StatusSink } from './chat-message.js';
import { splitInlineInput } from './command-grammar.js';
import { resolveFollowUp } from './follow-up.js';
import { finalStatusLine, resultMessage } from './format/format-result.js';
import { ProgressStatus } from './progress-status.js';
import { appendTurn, findSession, openSession, type SessionTurn } from './store/session-store.js';

/** What to run: a named skill, or a request in words for the ask function. */
export type ChatRunRequest =
  | { kind: 'skill'; skill: string; input: Record<string, unknown>; text: string }
  | { kind: 'query'; query: string; input: Record<string, unknown>; text: string; history?: SessionTurn[] };

/**
 * A request in words (mention, `ask`, thread follow-up). In a thread that is a session, `again` and
 * `key=value`-only messages re-run its last skill; otherwise `key=value` words become the input and
 * the rest the query.
 */
export async function askInWords(
  deps: ChatDeps,
  ctx: ChatContext,
  principal: Principal,
  text: string,
): Promise<void> {
  const thread = ctx.place.thread;
  const session = thread
    ? await findSession(deps.app.db, {
        platform: deps.platform,
        channelId: ctx.place.channel,
        threadId: thread,
      })
    : undefined;
  const turns = session?.context.turns ?? [];
  const follow = resolveFollowUp(text, turns, (id) => deps.app.registry.get(id));
  if (follow) return runInChat(deps, ctx, principal, { ...follow, text });
  const { query, pairs } = splitInlineInput(text);
  if (!query.trim()) {
    throw new SkillgateError(
      'request.invalid',
      'Say what you want in words (key=value pairs alone name no skill).',
    );
  }
  const input = Object.fromEntries(
    pairs.map((p) => [p.slice(0, p.indexOf('=')), coerceValue(p.slice(p.indexOf('=') + 1), { type: 'any' })]),
  );
  return runInChat(deps, ctx, principal, { kind: 'query', query, input, text, history: turns });
}

/** A status message in the thread: posted first, then edited. */
function threadSink(deps: ChatDeps, place: ChatPlace): StatusSink {
  let posted: PostedMessage | undefined;
  return {
    show: async (msg) => {
      if (posted) await deps.surface.update(posted, msg);
      else posted = await deps.surface.post(place, msg);
      return posted;
    },
  };
}

/**
 * Runs through the engine from chat: a status message edited with progress, then the result
 * (with feedback buttons for routed requests) or the approval card, in the thread; the turn is
 * stored in the thread's session. The delivery key is the engine's idempotency key.
 */
export async function runInChat(deps: ChatDeps, ctx: ChatContext, principal: Principal, req: ChatRunRequest) {
  const { app, surface, platform } = deps;
  const own = ctx.replies.status;
  const progress = new ProgressStatus(own ?? threadSink(deps, ctx.place), req.text.slice(0, 200), {
    minIntervalMs: app.config.chat.progress_interval,
    onError: (err) => app.logger.debug({ err }, 'progress edit failed'),
  });
  const posted = await progress.start();
  const thread = ctx.place.thread ?? (posted && !own ? surface.threadOf(posted) : undefined);
  const place: ChatPlace = { channel: ctx.place.channel, thread };
  const common = {
    principal,
    channel: platform,
    idempotencyKey: `${platform}:${ctx.eventKey}`,
    onEvent: progress.onEvent,
  };
  if (req.kind === 'query') {
    const asked = await deps.ask({
      ...common,
      onAgentEvent: progress.onAgentEvent,
      query: req.query,
      input: req.input,
      history: req.history,
    });
    if (asked.kind === 'agent') {
      const r = asked.result;
      const msg = agentMessage(r, deps.redact);
      if (own) await progress.finish(msg);
      else {
        await progress.finish({
          text: msg.text,
          title: msg.title,
          tone: msg.tone,
          lines: [msg.title ?? msg.text],
        });
        await surface.post(place, msg);
      }
      await postAgentCards(deps, r, place);
      const last = [...r.steps].reverse().find((s) => s.runId);
      return recordTurn(deps, principal, req, place, {
        skill: r.steps.length === 1 ? r.steps[0]!.skillId : null,
        input: r.steps.length === 1 ? r.steps[0]!.input : undefined,
        runId: last?.runId ?? r.id,
        status: r.status,
      });
    }
    await showRun(deps, progress, place, own !== undefined, asked.result, true);
    return recordTurn(deps, principal, req, place, asked.result);
  }
  const result = await app.engine.run({ ...common, skill: req.skill, input: req.input });
  await showRun(deps, progress, place, own !== undefined, result, false);
  return recordTurn(deps, principal, req, place, result);
}

/** The result of one engine run: the approval card, or the result (with feedback when routed). */
async function showRun(
  deps: ChatDeps,
  progress: ProgressStatus,
  place: ChatPlace,
  own: boolean,
  result: RunResult,
  feedback: boolean,
): Promise<void> {
  if (result.status === 'pending_approval' && result.approval) {
    await progress.finish(finalStatusLine(result));
    const approval = await getApproval(deps.app.db, result.approval.id);
    if (approval) await deps.cards.postCard(approval, place, true);
  } else if (own) {
    await progress.finish(resultMessage(result, { feedback, redact: deps.redact }));
  } else {
    await progress.finish(finalStatusLine(result));
    await deps.surface.post(place, resultMessage(result, { feedback, redact: deps.redact }));
  }
}

/** Stores the turn in the thread's session (nothing outside a thread). */
async function recordTurn(
  deps: ChatDeps,
  principal: Principal,
  req: ChatRunRequest,
  place: ChatPlace,
  result: { skill?: string | null; input?: Record<string, unknown>; runId: string; status: string },
): Promise<void> {
  const { app, platform } = deps;
  const thread = place.thread;
  if (!thread) return;
  const session = await openSession(app.db, {
    platform,
    channelId: place.channel,
    threadId: thread,
    tenant: principal.tenant,
    principalId: principal.id,
  });
  await appendTurn(
    app.db,
    session.id,
    {
      at: deps.clock().toISOString(),
      principal: principal.id,
      request: req.text.slice(0, 500),
      skill: result.skill ?? null,
      input: result.input ?? req.input,
      runId: result.runId,
      status: result.status,
    },
    app.config.chat.session_turns,
  );
}
