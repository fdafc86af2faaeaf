import type { Embedder } from './embedder.js';
import { type Token, tokenize } from './text-features.js';

export interface HashEmbedderOptions {
  /** Vector size (default 384). */
  dimensions?: number;
  /** Weight of word unigrams after per-family normalisation (default 1). */
  unigramWeight?: number;
  /** Weight of adjacent content-word bigrams (default 0.45). */
  bigramWeight?: number;
  /** Weight of character 3–5-grams of content words (default 0.55). */
  charWeight?: number;
  /** Weight of a stop word relative to a content word inside the unigram family (default 0.15). */
  stopWordWeight?: number;
}

/** Seeds that keep the feature families apart in the hashing space. */
const SEED_UNIGRAM = 0x9e3779b1;
const SEED_BIGRAM = 0x85ebca77;
const SEED_CHAR = 0xc2b2ae3d;

/** FNV-1a over UTF-16 code units with a seed, finished with murmur3's fmix32. */
function hash32(text: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Adds sublinear-tf weighted, signed hashed features of one family into `out`, normalised to `weight`. */
function addFamily(
  out: Float32Array,
  features: Map<string, number>,
  seed: number,
  weight: number,
  featureWeight: (feature: string) => number = () => 1,
): void {
  if (features.size === 0 || weight === 0) return;
  const dims = out.length;
  const idx: number[] = [];
  const val: number[] = [];
  const acc = new Map<number, number>();
  for (const [feature, tf] of features) {
    const h = hash32(feature, seed);
    const i = h % dims;
    const sign = h & 0x80000000 ? -1 : 1;
    acc.set(i, (acc.get(i) ?? 0) + sign * featureWeight(feature) * (1 + Math.log(tf)));
  }
  let norm = 0;
  for (const [i, v] of acc) {
    idx.push(i);
    val.push(v);
    norm += v * v;
  }
  if (norm === 0) return;
  const scale = weight / Math.sqrt(norm);
  for (let k = 0; k < idx.length; k++) out[idx[k]] += val[k] * scale;
}

function bump(map: Map<string, number>, key: string, by = 1): void {
  map.set(key, (map.get(key) ?? 0) + by);
}

/**
 * The offline default embedder: deterministic feature hashing of word unigrams (Porter stems, stop
 * words down-weighted), adjacent content-word bigrams and character 3–5-grams of content words,
 * each family with sublinear term frequency and signed hashing, normalised per family, mixed by
 * weight and L2-normalised. No model, no network, same vector for the same text on every machine.
 *
 * Its `name` encodes the algorithm version and the weights, so any change is detected as an
 * embedder switch and triggers a reindex.
 */
export class HashEmbedder implements Embedder {
  readonly name: string;
  readonly dimensions: number;
  /** Unrelated short texts score about 0–0.15 with this embedder; related ones 0.3 and above. */
  readonly minRelevance = 0.25;
  private readonly unigramWeight: number;
  private readonly bigramWeight: number;
  private readonly charWeight: number;
  private readonly stopWordWeight: number;

  constructor(options: HashEmbedderOptions = {}) {
    this.dimensions = options.dimensions ?? 384;
    this.unigramWeight = options.unigramWeight ?? 1;
    this.bigramWeight = options.bigramWeight ?? 0.45;
    this.charWeight = options.charWeight ?? 0.55;
    this.stopWordWeight = options.stopWordWeight ?? 0.15;
    const custom =
      options.unigramWeight !== undefined ||
      options.bigramWeight !== undefined ||
      options.charWeight !== undefined ||
      options.stopWordWeight !== undefined;
    const suffix = custom
      ? `-u${this.unigramWeight}-b${this.bigramWeight}-c${this.charWeight}-s${this.stopWordWeight}`
      : '';
    this.name = `hash-v1${suffix}`;
  }

  async embed(texts: string[]): Promise<Float32Array[]> {
    return texts.map((t) => this.embedSync(t));
  }

  /** Synchronous embedding of one text (the same vector `embed` returns). */
  embedSync(text: string): Float32Array {
    const out = new Float32Array(this.dimensions);
    const tokens = tokenize(text);
    if (tokens.length === 0) {
      out[hash32('\u0000empty', SEED_UNIGRAM) % this.dimensions] = 1;
      return out;
    }
    const hasContent = tokens.some((t) => !t.stop);
    const content: Token[] = hasContent ? tokens.filter((t) => !t.stop) : tokens;

    const unigrams = new Map<string, number>();
    const stopStems = new Set<string>();
    for (const t of tokens) {
      bump(unigrams, t.stem);
      if (hasContent && t.stop) stopStems.add(t.stem);
    }
    const bigrams = new Map<string, number>();
    for (let i = 1; i < content.length; i++) bump(bigrams, `${content[i - 1].stem} ${content[i].stem}`);
    const chars = new Map<string, number>();
    for (const t of content) {
      if (/^\d+$/.test(t.text)) continue;
      const w = `<${t.text}>`;
      for (let n = 3; n <= 5; n++) {
        for (let i = 0; i + n <= w.length; i++) bump(chars, w.slice(i, i + n));
      }
    }
    const stopWeight = this.stopWordWeight;
    addFamily(out, unigrams, SEED_UNIGRAM, this.unigramWeight, (f) => (stopStems.has(f) ? stopWeight : 1));
    addFamily(out, bigrams, SEED_BIGRAM, this.bigramWeight);
    addFamily(out, chars, SEED_CHAR, this.charWeight);
    let norm = 0;
    for (let i = 0; i < out.length; i++) norm += out[i] * out[i];
    if (norm > 0) {
      const inv = 1 / Math.sqrt(norm);
      for (let i = 0; i < out.length; i++) out[i] *= inv;
    }
    return out;
  }
}

let shared: HashEmbedder | undefined;

/** A module-wide default `HashEmbedder` (384 dimensions), for callers that were given none. */
export function defaultEmbedder(): HashEmbedder {
  shared ??= new HashEmbedder();
  return shared;
}
