import type { Skill } from '../../tools/skill.js';
import { tokenize } from '../embedders/text-features.js';
import { isRoutable } from './skill-index.js';

/** Content stems of a text (stop words dropped; all kept if nothing else is left). */
function stems(text: string): string[] {
  const tokens = tokenize(text);
  const content = tokens.filter((t) => !t.stop);
  return [...new Set(content.map((t) => t.stem))];
}

const QUESTION_START =
  /^(what|which|who|whom|whose|when|where|why|how|is|are|was|were|do|does|did|can|could|will|would|should|have|has|any)\b/;

/** True for a question ("what do you know about X?", "is the api up"), as opposed to a command. */
export function isQuestion(text: string): boolean {
  const t = text.trim().toLowerCase();
  return t.endsWith('?') || QUESTION_START.test(t);
}

export interface LexicalScores {
  /** IDF-weighted share of the query's words found in the best single example utterance. */
  example: number;
  /** IDF-weighted share of the query's words found anywhere in the skill (title, tags, description, examples). */
  document: number;
}

/**
 * An in-memory inverted index over the routable skills, with inverse document frequencies
 * computed across skills: words that many skills share ("customer") count little, words that
 * single out a skill ("overdue", "restart") count much. Rebuilt from the registry on every change
 * (cheap: one pass over the skills' text).
 */
export class LexicalIndex {
  private idf = new Map<string, number>();
  private maxIdf = 1;
  /** stem -> skill ids whose document contains it. */
  private docPostings = new Map<string, Set<string>>();
  /** stem -> (skill id, example number) pairs whose example contains it. */
  private examplePostings = new Map<string, { skill: string; example: number }[]>();
  /** skill id -> share of its example utterances that are questions. */
  private questionShare = new Map<string, number>();
  private withoutExamples = 0;

  /** Routable skills with no example utterances (the router then also searches skill documents). */
  get skillsWithoutExamples(): number {
    return this.withoutExamples;
  }

  rebuild(skills: readonly Skill[]): void {
    const routable = skills.filter(isRoutable);
    const df = new Map<string, number>();
    this.docPostings = new Map();
    this.examplePostings = new Map();
    this.questionShare = new Map();
    this.withoutExamples = routable.filter((s) => s.spec.examples.length === 0).length;
    for (const s of routable) {
      const spec = s.spec;
      if (spec.examples.length > 0) {
        this.questionShare.set(s.id, spec.examples.filter(isQuestion).length / spec.examples.length);
      }
      const doc = new Set(
        stems([spec.title, spec.tags.join(' '), spec.description, ...spec.examples].join(' ')),
      );
      for (const t of doc) {
        df.set(t, (df.get(t) ?? 0) + 1);
        let set = this.docPostings.get(t);
        if (!set) {
          set = new Set();
          this.docPostings.set(t, set);
        }
        set.add(s.id);
      }
      spec.examples.forEach((ex, i) => {
        for (const t of stems(ex)) {
          let list = this.examplePostings.get(t);
          if (!list) {
            list = [];
            this.examplePostings.set(t, list);
          }
          list.push({ skill: s.id, example: i });
        }
      });
    }
    const n = routable.length;
    this.idf = new Map();
    for (const [t, d] of df) this.idf.set(t, Math.log(1 + (n - d + 0.5) / (d + 0.5)));
    this.maxIdf = Math.log(1 + (n + 0.5) / 0.5);
  }

  /**
   * How well the form of the query (question or command) matches the skill's example utterances:
   * "what do you remember about X?" reads like recall's examples, "remember X" like remember's.
   */
  formMatch(query: string, skillId: string): number {
    const share = this.questionShare.get(skillId);
    if (share === undefined) return 0.5;
    return isQuestion(query) ? share : 1 - share;
  }

  /** Scores for every skill sharing at least one word with the query. */
  score(query: string): Map<string, LexicalScores> {
    const terms = stems(query);
    const out = new Map<string, LexicalScores>();
    // Unknown words weigh as much as the rarest known ones: a query about something no skill
    // mentions scores low everywhere, which is what makes "no skill" answers possible.
    const weight = (t: string) => this.idf.get(t) ?? this.maxIdf;
    const total = terms.reduce((sum, t) => sum + weight(t), 0);
    if (total === 0) return out;
    const exampleSums = new Map<string, number>();
    for (const t of terms) {
      const w = weight(t) / total;
      for (const skill of this.docPostings.get(t) ?? []) {
        const cur = out.get(skill) ?? { example: 0, document: 0 };
        cur.document += w;
        out.set(skill, cur);
      }
      for (const p of this.examplePostings.get(t) ?? []) {
        const key = `${p.skill}\u0000${p.example}`;
        exampleSums.set(key, (exampleSums.get(key) ?? 0) + w);
      }
    }
    for (const [key, v] of exampleSums) {
      const skill = key.slice(0, key.indexOf('\u0000'));
      const cur = out.get(skill)!;
      if (v > cur.example) cur.example = v;
    }
    return out;
  }
}
