import { stem as porter2 } from 'porter2';

/**
 * Light text normalisation shared by the hash embedder and the extractive answerer: Unicode NFKD
 * with combining marks removed, lower case, possessive `'s` dropped, everything that is not a
 * letter or a digit treated as a separator, common British spellings mapped to American ones, English Porter2 stems (npm `porter2`), a small
 * stop list.
 */
export interface Token {
  /** The normalised surface form (`favourite`). */
  text: string;
  /** Its Porter stem (`favourit`). */
  stem: string;
  /** A function word that carries little meaning on its own. */
  stop: boolean;
}

/** Common English function words (and chat filler) that get a low weight. */
export const STOP_WORDS: ReadonlySet<string> = new Set(
  (
    'a about above after again against all am an and any are as at be because been before being below ' +
    'between both but by can could did do does doing down during each few for from further had has have ' +
    'having he her here hers herself him himself his how i if in into is it its itself just me more most ' +
    'my myself no nor not now of off on once only or other our ours ourselves out over own same she should ' +
    'so some such than that the their theirs them themselves then there these they this those through to ' +
    'too under until up very was we were what when where which while who whom why will with would you your ' +
    'yours yourself yourselves please pls thanks thank hey hi hello ok okay also us let lets cannot dont ' +
    'im ive id youre thats whats theres'
  ).split(' '),
);

const stemCache = new Map<string, string>();

/** British spellings people type as often as the American ones (the stem is taken of the latter). */
const SPELLING: Readonly<Record<string, string>> = {
  colour: 'color',
  colours: 'colors',
  favour: 'favor',
  favourite: 'favorite',
  favourites: 'favorites',
  behaviour: 'behavior',
  honour: 'honor',
  labour: 'labor',
  neighbour: 'neighbor',
  flavour: 'flavor',
  humour: 'humor',
  harbour: 'harbor',
  centre: 'center',
  metre: 'meter',
  theatre: 'theater',
  licence: 'license',
  defence: 'defense',
  offence: 'offense',
  catalogue: 'catalog',
  dialogue: 'dialog',
  programme: 'program',
  grey: 'gray',
  cheque: 'check',
  organise: 'organize',
  organisation: 'organization',
  realise: 'realize',
  recognise: 'recognize',
  prioritise: 'prioritize',
  summarise: 'summarize',
  customise: 'customize',
  authorise: 'authorize',
  authorisation: 'authorization',
  analyse: 'analyze',
  cancelled: 'canceled',
  cancelling: 'canceling',
};

/** The Porter2 stem of a normalised word (memoised; digits and very short words are kept as they are). */
export function stemOf(word: string): string {
  let s = stemCache.get(word);
  if (s === undefined) {
    const w = SPELLING[word] ?? word;
    s = /^\d+$/.test(w) || w.length < 3 ? w : porter2(w);
    if (stemCache.size > 50_000) stemCache.clear();
    stemCache.set(word, s);
  }
  return s;
}

/** Normalises text for matching: NFKD, no diacritics, lower case, punctuation as spaces. */
export function normalizeText(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/['’]s\b/g, '')
    .replace(/['’]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** Splits text into normalised, stemmed tokens. */
export function tokenize(text: string): Token[] {
  const norm = normalizeText(text);
  if (!norm) return [];
  return norm.split(' ').map((t) => ({ text: SPELLING[t] ?? t, stem: stemOf(t), stop: STOP_WORDS.has(t) }));
}

/** The distinct stems of the meaningful words of a text (stop words dropped unless nothing else is left). */
export function contentStems(text: string): Set<string> {
  const tokens = tokenize(text);
  const content = tokens.filter((t) => !t.stop);
  return new Set((content.length > 0 ? content : tokens).map((t) => t.stem));
}
