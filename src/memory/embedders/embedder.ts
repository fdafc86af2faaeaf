import { SkillgateError } from '../../core/errors.js';

/**
 * The embedder port: turns texts into vectors of a fixed size. Implementations: the offline
 * `HashEmbedder` (default) and `AiSdkEmbedder` (OpenAI / OpenAI-compatible through the AI SDK).
 *
 * Invariants:
 * - `embed` returns exactly one vector per text, in order, each of length `dimensions`.
 * - `name` identifies the vector space: two embedders with the same `name` and `dimensions` must
 *   give comparable vectors. It is stored with every vector, so changing it triggers a reindex.
 */
export interface Embedder {
  readonly name: string;
  readonly dimensions: number;
  embed(texts: string[], signal?: AbortSignal): Promise<Float32Array[] | number[][]>;
  /**
   * Cosine similarity below which a match is treated as unrelated (recall, forget, library.ask)
   * when the caller gives no threshold. Optional; default `DEFAULT_MIN_RELEVANCE`.
   */
  readonly minRelevance?: number;
}

/** Used when an embedder does not state its own `minRelevance`. */
export const DEFAULT_MIN_RELEVANCE = 0.3;

/** The embedder's relevance floor (its own, or `DEFAULT_MIN_RELEVANCE`). */
export function minRelevanceOf(embedder: Embedder): number {
  return embedder.minRelevance ?? DEFAULT_MIN_RELEVANCE;
}

/**
 * Embeds `texts` and returns `Float32Array`s, checking count and size (`embedding.failed` otherwise).
 * Empty input returns `[]` without calling the embedder.
 */
export async function embedTexts(
  embedder: Embedder,
  texts: string[],
  signal?: AbortSignal,
): Promise<Float32Array[]> {
  if (texts.length === 0) return [];
  const out = await embedder.embed(texts, signal);
  if (out.length !== texts.length) {
    throw new SkillgateError(
      'embedding.failed',
      `${embedder.name} returned ${out.length} vectors for ${texts.length} texts.`,
      { embedder: embedder.name },
    );
  }
  return out.map((v) => {
    if (v.length !== embedder.dimensions) {
      throw new SkillgateError(
        'embedding.failed',
        `${embedder.name} returned a vector of ${v.length} dimensions; ${embedder.dimensions} expected.`,
        { embedder: embedder.name, expected: embedder.dimensions, got: v.length },
      );
    }
    return v instanceof Float32Array ? v : Float32Array.from(v);
  });
}

/** Embeds one text. */
export async function embedOne(
  embedder: Embedder,
  text: string,
  signal?: AbortSignal,
): Promise<Float32Array> {
  const [v] = await embedTexts(embedder, [text], signal);
  return v;
}

/** Cosine similarity of two vectors of equal length (0 when either is all zeros). */
export function cosineSimilarity(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}
