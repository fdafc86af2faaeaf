import { parseDuration } from '../core/duration.js';
import type { BuiltinHandler, HandlerContext } from '../tools/handler.js';
import type { Embedder } from './embedders/embedder.js';
import { defaultEmbedder } from './embedders/hash-embedder.js';
import {
  type ForgetSelector,
  hasForgetSelector,
  type MemoryActor,
  type MemoryScope,
} from './memory-types.js';
import { DEFAULT_FORGET_THRESHOLD, SemanticMemory } from './semantic-memory.js';

/** The engine's embedder, or the offline hash embedder when none is wired. */
export function embedderOf(ctx: Pick<HandlerContext, 'embedder'>): Embedder {
  return ctx.embedder ?? defaultEmbedder();
}

function actorOf(ctx: HandlerContext): MemoryActor {
  const session = ctx.input.session_id as string | undefined;
  return { tenant: ctx.tenant, principalId: ctx.principal.id, sessionId: session || undefined };
}

function memoryOf(ctx: HandlerContext): SemanticMemory {
  return new SemanticMemory(ctx.db, embedderOf(ctx));
}

function scopesOf(input: Record<string, unknown>): MemoryScope[] | undefined {
  const scopes = input.scopes as MemoryScope[] | undefined;
  if (scopes && scopes.length > 0) return scopes;
  const scope = input.scope as MemoryScope | undefined;
  return scope ? [scope] : undefined;
}

function forgetSelector(input: Record<string, unknown>): ForgetSelector {
  return {
    ids: input.ids as string[] | undefined,
    key: input.key as string | undefined,
    query: input.query as string | undefined,
    tags: input.tags as string[] | undefined,
    scopes: scopesOf(input),
    threshold: (input.threshold as number | undefined) ?? DEFAULT_FORGET_THRESHOLD,
    limit: input.limit as number | undefined,
  };
}

const NO_SELECTOR = 'Nothing selected: give ids, a key, a query or tags of the memories to forget.';

const remember: BuiltinHandler = {
  async run(ctx) {
    const i = ctx.input;
    return memoryOf(ctx).remember(actorOf(ctx), {
      text: i.text as string,
      scope: i.scope as MemoryScope | undefined,
      key: i.key as string | undefined,
      tags: i.tags as string[] | undefined,
      ttlMs: i.ttl !== undefined ? parseDuration(i.ttl as string) : undefined,
    });
  },
  async preview(ctx) {
    const i = ctx.input;
    const ttlMs = i.ttl !== undefined ? parseDuration(i.ttl as string) : undefined;
    return {
      would: 'remember',
      scope: (i.scope as string | undefined) ?? 'user',
      key: (i.key as string | undefined) ?? null,
      text: i.text,
      tags: (i.tags as string[] | undefined) ?? [],
      expires_in_ms: ttlMs ?? null,
      note: 'A memory with the same key, or a near-identical one in the same scope, is updated instead of added.',
    };
  },
};

const recall: BuiltinHandler = {
  async run(ctx) {
    const i = ctx.input;
    const memories = await memoryOf(ctx).recall(actorOf(ctx), {
      query: i.query as string,
      scopes: scopesOf(i),
      tags: i.tags as string[] | undefined,
      limit: i.limit as number | undefined,
      minScore: i.min_score as number | undefined,
    });
    return { count: memories.length, memories };
  },
};

const forget: BuiltinHandler = {
  async run(ctx) {
    const selector = forgetSelector(ctx.input);
    const r = await memoryOf(ctx).forget(actorOf(ctx), selector);
    return r.deleted === 0 && !hasForgetSelector(selector) ? { ...r, note: NO_SELECTOR } : r;
  },
  async preview(ctx) {
    const selector = forgetSelector(ctx.input);
    const memories = await memoryOf(ctx).selectForget(actorOf(ctx), selector);
    return {
      would_delete: memories.length,
      memories,
      ...(hasForgetSelector(selector) ? {} : { note: NO_SELECTOR }),
    };
  },
};

/** Builtin handlers of the `memory` pack (`handler: {type: builtin, name}` in `skills/memory/`). */
export const memoryBuiltins: Record<string, BuiltinHandler> = {
  'memory.remember': remember,
  'memory.recall': recall,
  'memory.forget': forget,
};
