import type { Db } from '../../db/db.js';
import {
  cosineSimilarity,
  type Embedder,
  embedOne,
  embedTexts,
  minRelevanceOf,
} from '../embedders/embedder.js';
import { contentStems } from '../embedders/text-features.js';
import { headingOf } from './chunk-text.js';
import { type RetrievedChunk, retrieveChunks } from './retrieve-chunks.js';
import { type Sentence, sentencesOf } from './sentences.js';

export interface Citation {
  document_id: string;
  title: string;
  /** Heading path joined with ` > ` (`Page 2` for PDFs; '' for plain text). */
  heading: string;
  /** 1-based, inclusive line range in the document. */
  lines: [number, number];
  quote: string;
}

export interface LibraryAnswer {
  answer: string;
  citations: Citation[];
  /** 0 when nothing relevant was found; otherwise how well the best evidence matches, in [0, 1]. */
  confidence: number;
  /** `extractive` (quoted sentences), `generated` (a model's answer over the passages) or `none`. */
  mode: 'extractive' | 'generated' | 'none';
}

/** A retrieved passage handed to a model; `index` (1-based) is what the model cites. */
export interface AnswerPassage {
  index: number;
  document_id: string;
  title: string;
  heading: string;
  lines: [number, number];
  text: string;
}

/**
 * The seam for a generated answer (supplied by the agent layer when a model is configured): answer
 * `question` from `passages` only, and say which passages support it. Citations are built from the
 * valid indices only; an answer citing none falls back to the extractive answer.
 */
export type GenerateAnswer = (args: {
  question: string;
  passages: AnswerPassage[];
  signal?: AbortSignal;
}) => Promise<{ answer: string; cited: number[] }>;

export interface AskOptions {
  /** Chunks retrieved (default 6). */
  limit?: number;
  documentIds?: string[];
  /** At most this many quoted sentences in an extractive answer (default 3). */
  maxSentences?: number;
  generate?: GenerateAnswer;
  signal?: AbortSignal;
}

export const NOTHING_FOUND = 'I found nothing in the library that answers this question.';

/** How much of the question's meaningful words a text contains, in [0, 1]. */
function coverage(question: Set<string>, text: string): number {
  if (question.size === 0) return 0;
  const t = contentStems(text);
  let hit = 0;
  for (const s of question) if (t.has(s)) hit++;
  return hit / question.size;
}

interface Scored {
  sentence: Sentence;
  score: number;
}

function citationOf(s: Sentence): Citation {
  return {
    document_id: s.chunk.document_id,
    title: s.chunk.title,
    heading: headingOf(s.headingPath),
    lines: [s.lineFrom, s.lineTo],
    quote: s.text,
  };
}

const clamp01 = (x: number) => Math.max(0, Math.min(1, x));
const round2 = (x: number) => Math.round(x * 100) / 100;

/**
 * Answers a question from the tenant's library. Retrieves chunks (hybrid vector + full text), keeps
 * those relevant enough (vector similarity >= the embedder's `minRelevance`, or at least half of the
 * question's words), scores their sentences against the question (similarity, word coverage and
 * the chunk's score) and answers with the best sentences, each cited. With `generate`, the model
 * answers over the relevant passages instead. With nothing relevant, it says so and cites nothing.
 */
export async function answerQuestion(
  db: Db,
  embedder: Embedder,
  tenant: string,
  question: string,
  options: AskOptions = {},
): Promise<LibraryAnswer> {
  const none: LibraryAnswer = { answer: NOTHING_FOUND, citations: [], confidence: 0, mode: 'none' };
  const qStems = contentStems(question);
  const floor = minRelevanceOf(embedder);
  const chunks = await retrieveChunks(db, embedder, tenant, question, {
    limit: options.limit ?? 6,
    documentIds: options.documentIds,
  });
  // Candidate chunks: near enough by vector, or matching words; the sentences decide relevance.
  const relevant = chunks.filter((c) => c.vector_score >= floor * 0.6 || c.text_score > 0);
  if (relevant.length === 0) return none;

  const sentences = dedupe(relevant.flatMap(sentencesOf)).slice(0, 200);
  if (sentences.length === 0) return none;
  const qVec = await embedOne(embedder, question, options.signal);
  const sVecs = await embedTexts(
    embedder,
    sentences.map((s) => s.text),
    options.signal,
  );
  const scored: Scored[] = sentences
    .map((s, i) => {
      const sim = cosineSimilarity(qVec, sVecs[i]);
      const cov = coverage(qStems, `${headingOf(s.headingPath)} ${s.text}`);
      const raw = 0.5 * sim + 0.35 * cov + 0.15 * s.chunk.score;
      // Evidence must share a meaningful word with the question or be clearly similar to it.
      const supported = cov > 0 || sim >= floor + 0.1;
      return { sentence: s, score: supported ? (s.complete ? raw : raw * 0.85) : 0 };
    })
    .sort((a, b) => b.score - a.score);
  const best = scored[0];
  if (best.score < floor) return none;
  const confidence = round2(clamp01(best.score / 0.7));

  if (options.generate) {
    const generated = await generatedAnswer(options.generate, question, relevant, scored, options.signal);
    if (generated) return { ...generated, confidence };
  }
  const max = options.maxSentences ?? 3;
  const picked = scored.filter((s) => s.score >= Math.max(floor, best.score * 0.75)).slice(0, max);
  const citations = picked.map((p) => citationOf(p.sentence));
  const answer = picked.map((p, i) => `${p.sentence.text} [${i + 1}]`).join(' ');
  return { answer, citations, confidence, mode: 'extractive' };
}

/** Keeps the first of sentences with the same document and text (chunks overlap). */
function dedupe(sentences: Sentence[]): Sentence[] {
  const seen = new Set<string>();
  return sentences.filter((s) => {
    const key = `${s.chunk.document_id}\u0000${s.text}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

async function generatedAnswer(
  generate: GenerateAnswer,
  question: string,
  chunks: RetrievedChunk[],
  scored: Scored[],
  signal?: AbortSignal,
): Promise<Omit<LibraryAnswer, 'confidence'> | null> {
  const passages: AnswerPassage[] = chunks.map((c, i) => ({
    index: i + 1,
    document_id: c.document_id,
    title: c.title,
    heading: headingOf(c.heading_path),
    lines: [c.line_from, c.line_to],
    text: c.text,
  }));
  const out = await generate({ question, passages, signal });
  const cited = [...new Set(out.cited)].filter((n) => Number.isInteger(n) && n >= 1 && n <= passages.length);
  if (cited.length === 0 || !out.answer.trim()) return null;
  const citations = cited.map((n) => {
    const chunk = chunks[n - 1];
    const bestInChunk = scored.find((s) => s.sentence.chunk.id === chunk.id);
    if (bestInChunk) return citationOf(bestInChunk.sentence);
    const p = passages[n - 1];
    return {
      document_id: p.document_id,
      title: p.title,
      heading: p.heading,
      lines: p.lines,
      quote: p.text.slice(0, 300),
    };
  });
  return { answer: out.answer.trim(), citations, mode: 'generated' };
}
