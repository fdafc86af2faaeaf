import type { Queryable } from '../../db/db.js';
import type { Embedder } from '../embedders/embedder.js';
import { BUILTIN_TARGETS } from './builtin-targets.js';
import { detectEmbedderChange, type EmbedderInfo } from './embedding-meta.js';
import { countStaleSkills } from './routing-targets.js';

export interface EmbedderCheck {
  /** True when some stored vectors were made by another embedder: `skillgate reindex` is needed. */
  changed: boolean;
  current: EmbedderInfo;
  /** Rows per target whose vectors are not from `current` (memories, chunks, skills). */
  stale: Record<string, number>;
  /** The embedders the stale vectors were recorded with (`embedding_meta`), when known. */
  previous: EmbedderInfo[];
  /** One sentence for logs and the CLI; null when nothing changed. */
  message: string | null;
}

/**
 * Compares the configured embedder with the stored vectors of memories, library chunks and the skill
 * index. Meant for start-up (`serve`): vectors of another embedder are invisible to search (queries
 * filter on embedder and size) until `skillgate reindex` re-embeds them. Read-only; three counts.
 */
export async function checkEmbedder(q: Queryable, embedder: Embedder): Promise<EmbedderCheck> {
  const change = await detectEmbedderChange(q, embedder, BUILTIN_TARGETS);
  const stale: Record<string, number> = {};
  for (const t of change.targets) stale[t.target] = t.staleRows;
  stale.skills = await countStaleSkills(q, change.current);
  const previous: EmbedderInfo[] = [];
  for (const t of change.targets) {
    const s = t.stored;
    if (s && (s.embedder !== change.current.embedder || s.dims !== change.current.dims)) {
      if (!previous.some((p) => p.embedder === s.embedder && p.dims === s.dims)) previous.push(s);
    }
  }
  const changed = change.changed || stale.skills > 0;
  const parts = Object.entries(stale)
    .filter(([, n]) => n > 0)
    .map(([t, n]) => `${n} ${t}`);
  const from = previous.length ? ` (from ${previous.map(describe).join(', ')})` : '';
  const message = changed
    ? `The configured embedder ${describe(change.current)} did not make the stored vectors of ` +
      `${parts.join(', ') || 'some targets'}${from}; search skips them until \`skillgate reindex\` re-embeds them.`
    : null;
  return { changed, current: change.current, stale, previous, message };
}

function describe(e: EmbedderInfo): string {
  return `${e.embedder}/${e.dims}`;
}
