import type { Db, Queryable } from '../../db/db.js';
import type { Skill } from '../../tools/skill.js';
import { type Embedder, embedTexts } from '../embedders/embedder.js';
import { formatVector } from '../vector/vector-sql.js';

/** Skills the router may pick: public and not disabled. */
export function isRoutable(skill: Skill): boolean {
  return !skill.spec.internal && !skill.spec.deprecated?.disabled;
}

/** The text a skill's document vector is built from. */
export function skillDocText(skill: Skill): string {
  const s = skill.spec;
  return [s.title, s.title, s.tags.join(' '), s.description].join('. ');
}

/**
 * Keeps `skill_index` / `skill_examples` in step with the registry: every routable skill is
 * embedded (title, tags and description as one vector; each example utterance as its own) and
 * gets a weighted full-text vector. Unchanged skills (same source hash and embedder) are skipped.
 */
export class SkillIndex {
  constructor(
    private readonly db: Db,
    private readonly embedder: Embedder,
  ) {}

  /** Indexes the given skills and removes indexed skills that are not among them. */
  async sync(skills: Skill[]): Promise<{ indexed: string[]; removed: string[] }> {
    const routable = skills.filter(isRoutable);
    const current = await this.db.query<{
      skill_id: string;
      source_hash: string;
      embedder: string;
      dims: number;
    }>('SELECT skill_id, source_hash, embedder, dims FROM skill_index');
    const have = new Map(current.rows.map((r) => [r.skill_id, r]));
    const changed = routable.filter((s) => {
      const h = have.get(s.id);
      return (
        !h ||
        h.source_hash !== s.hash ||
        h.embedder !== this.embedder.name ||
        h.dims !== this.embedder.dimensions
      );
    });
    const keep = new Set(routable.map((s) => s.id));
    const removed = current.rows.map((r) => r.skill_id).filter((id) => !keep.has(id));
    await this.upsert(changed);
    await this.remove(removed);
    return { indexed: changed.map((s) => s.id), removed };
  }

  /** (Re)indexes skills, batching the embedding calls. */
  async upsert(skills: Skill[], onProgress?: (done: number, total: number) => void): Promise<void> {
    const batch = 64;
    for (let i = 0; i < skills.length; i += batch) {
      const part = skills.slice(i, i + batch);
      const docs = await embedTexts(this.embedder, part.map(skillDocText));
      const exampleTexts = part.flatMap((s) => s.spec.examples);
      const exampleVecs = await embedTexts(this.embedder, exampleTexts);
      await this.db.tx(async (q) => {
        let e = 0;
        for (let k = 0; k < part.length; k++) {
          const s = part[k];
          await this.writeSkill(q, s, docs[k]);
          const ex = s.spec.examples.map((text) => ({ text, vec: exampleVecs[e++] }));
          await this.writeExamples(q, s.id, ex);
        }
      });
      onProgress?.(Math.min(i + batch, skills.length), skills.length);
    }
  }

  async remove(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db.query('DELETE FROM skill_index WHERE skill_id = ANY($1)', [ids]);
  }

  private async writeSkill(q: Queryable, s: Skill, vec: Float32Array): Promise<void> {
    const spec = s.spec;
    await q.query(
      `INSERT INTO skill_index (skill_id, source_hash, title, description, tags, embedder, dims, embedding, fts, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::vector,
         setweight(to_tsvector('english', $3 || ' ' || array_to_string($5::text[], ' ')), 'A') ||
         setweight(to_tsvector('english', $4), 'B') ||
         setweight(to_tsvector('english', $9), 'C'),
         now())
       ON CONFLICT (skill_id) DO UPDATE SET source_hash = EXCLUDED.source_hash, title = EXCLUDED.title,
         description = EXCLUDED.description, tags = EXCLUDED.tags, embedder = EXCLUDED.embedder,
         dims = EXCLUDED.dims, embedding = EXCLUDED.embedding, fts = EXCLUDED.fts, updated_at = now()`,
      [
        s.id,
        s.hash,
        spec.title,
        spec.description,
        spec.tags,
        this.embedder.name,
        this.embedder.dimensions,
        formatVector(vec),
        spec.examples.join('. '),
      ],
    );
  }

  private async writeExamples(
    q: Queryable,
    skillId: string,
    examples: { text: string; vec: Float32Array }[],
  ): Promise<void> {
    await q.query('DELETE FROM skill_examples WHERE skill_id = $1', [skillId]);
    if (examples.length === 0) return;
    const vals: unknown[] = [];
    const tuples = examples.map((e) => {
      vals.push(skillId, e.text, formatVector(e.vec), e.vec.length);
      const b = vals.length;
      return `($${b - 3}, $${b - 2}, $${b - 1}::vector, $${b})`;
    });
    await q.query(
      `INSERT INTO skill_examples (skill_id, text, embedding, dims) VALUES ${tuples.join(', ')}`,
      vals,
    );
  }
}
