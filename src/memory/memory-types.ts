import { z } from 'zod';

/**
 * Memory scopes: `user` (private to the principal), `session` (a conversation or thread), `org`
 * (the whole tenant), `kb` (tenant knowledge base: curated facts).
 */
export const MemoryScopeSchema = z.enum(['user', 'session', 'org', 'kb']);
export type MemoryScope = z.infer<typeof MemoryScopeSchema>;
export const MEMORY_SCOPES: readonly MemoryScope[] = MemoryScopeSchema.options;

/** Who reads or writes memories: tenant isolation and scope ownership follow from it. */
export interface MemoryActor {
  tenant: string;
  principalId: string;
  /** The conversation/thread id for `session` scope (default: one session per principal). */
  sessionId?: string;
}

/** The `owner` column value of a scope for an actor: principal, session, or '' (tenant-wide). */
export function ownerOf(scope: MemoryScope, actor: MemoryActor): string {
  switch (scope) {
    case 'user':
      return actor.principalId;
    case 'session':
      return actor.sessionId ?? `principal:${actor.principalId}`;
    default:
      return '';
  }
}

export interface RememberInput {
  text: string;
  /** Default `user`. */
  scope?: MemoryScope;
  /** Same key in the same scope (and owner) overwrites. */
  key?: string;
  tags?: string[];
  /** Time to live in milliseconds (none: kept until forgotten). */
  ttlMs?: number;
}

export interface RememberResult {
  id: string;
  /** `created`; `updated` (same key); `merged` (a near-duplicate was updated instead). */
  action: 'created' | 'updated' | 'merged';
  scope: MemoryScope;
  key: string | null;
  text: string;
  tags: string[];
  expires_at: string | null;
  /** For `merged`: the similarity to the memory that was updated. */
  similarity?: number;
}

export interface RecallInput {
  query: string;
  /** Scopes to search (default all the actor can see). */
  scopes?: MemoryScope[];
  /** Only memories carrying all these tags. */
  tags?: string[];
  /** Default 5. */
  limit?: number;
  /** Minimum cosine similarity (default the embedder's `minRelevance`). */
  minScore?: number;
}

export interface RecalledMemory {
  id: string;
  scope: MemoryScope;
  key: string | null;
  text: string;
  tags: string[];
  /** Cosine similarity to the query, rounded to 4 decimals. */
  score: number;
  created_at: string;
  updated_at: string;
  expires_at: string | null;
}

/**
 * Which memories `forget` removes. Selectors combine with AND; with none of `ids`, `key`, `query`,
 * `tags` nothing is selected (forget never means "everything").
 */
export interface ForgetSelector {
  ids?: string[];
  key?: string;
  query?: string;
  tags?: string[];
  scopes?: MemoryScope[];
  /** Minimum similarity for `query` matches (default 0.5). */
  threshold?: number;
  /** At most this many (default 50). */
  limit?: number;
}

/** Whether a selector selects anything at all (ids, key, query or tags). */
export function hasForgetSelector(s: ForgetSelector): boolean {
  return (
    (s.ids?.length ?? 0) > 0 || s.key !== undefined || s.query !== undefined || (s.tags?.length ?? 0) > 0
  );
}

export interface ForgetCandidate {
  id: string;
  scope: MemoryScope;
  key: string | null;
  text: string;
  /** Similarity to the query (1 when selected by id or key only). */
  score: number;
}
