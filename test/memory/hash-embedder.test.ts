import { describe, expect, it } from 'vitest';
import { cosineSimilarity } from '../../src/memory/embedders/embedder.js';
import { HashEmbedder } from '../../src/memory/embedders/hash-embedder.js';

const e = new HashEmbedder();
const sim = async (a: string, b: string) => {
  const [va, vb] = await e.embed([a, b]);
  return cosineSimilarity(va, vb);
};

describe('hash embedder', () => {
  it('is deterministic across calls and instances, L2-normalised, 384 dimensions by default', async () => {
    const text = 'Remind ACME about invoice 42 before Friday';
    const [a] = await e.embed([text]);
    const [b] = await new HashEmbedder().embed([text]);
    expect(a).toHaveLength(384);
    expect(Array.from(a)).toEqual(Array.from(b));
    const norm = Math.sqrt(a.reduce((s, x) => s + x * x, 0));
    expect(norm).toBeCloseTo(1, 5);
    expect(e.name).toBe('hash-v1');
  });

  it('scores paraphrases above unrelated text', async () => {
    const pairs: [string, string, string][] = [
      ['My favourite colour is blue', 'what is my favorite color?', 'The cat sat on the mat'],
      [
        'Deployments happen every Tuesday at 10am',
        'when do we deploy?',
        'Quarterly revenue grew by 12 percent',
      ],
      ['Invoices are due 30 days after issue', 'when are invoices due', 'How do I bake sourdough bread'],
      ['restart the billing service', 'please restart billing', 'the weather in Paris is sunny today'],
      [
        'The production database runs on Postgres 15',
        'which postgres version does production use',
        'I prefer dark mode',
      ],
    ];
    for (const [doc, paraphrase, unrelated] of pairs) {
      const p = await sim(doc, paraphrase);
      const u = await sim(unrelated, paraphrase);
      expect(p, `${doc} ~ ${paraphrase}`).toBeGreaterThan(e.minRelevance);
      expect(u, `${unrelated} ~ ${paraphrase}`).toBeLessThan(e.minRelevance);
      expect(p).toBeGreaterThan(u + 0.2);
    }
  });

  it('matches inflections and British/American spellings through stemming and normalisation', async () => {
    expect(await sim('deploying the service', 'Deployments of services')).toBeGreaterThan(0.5);
    expect(await sim('colour preferences', 'color preference')).toBeGreaterThan(0.8);
    expect(await sim('Café résumé', 'cafe resume')).toBeCloseTo(1, 5);
  });

  it('gives a usable vector for empty and stop-word-only text', async () => {
    const [empty, stops] = await e.embed(['', 'what is it']);
    expect(empty.some((x) => x !== 0)).toBe(true);
    expect(stops.some((x) => x !== 0)).toBe(true);
  });

  it('names itself after its settings, so a change of settings is a change of embedder', () => {
    expect(new HashEmbedder({ charWeight: 0.8 }).name).not.toBe(e.name);
    expect(new HashEmbedder({ dimensions: 256 }).dimensions).toBe(256);
  });
});
