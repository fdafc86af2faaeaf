import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PgliteDb } from '../../src/db/pglite-db.js';
import { HashEmbedder } from '../../src/memory/embedders/hash-embedder.js';
import { SemanticMemory } from '../../src/memory/semantic-memory.js';
import { reindex } from '../../src/memory/vector/reindex.js';
import { createVectorIndexSql } from '../../src/memory/vector/vector-sql.js';
import { createTestDb } from '../helpers/test-db.js';

describe('memory HNSW index', () => {
  let db: PgliteDb;
  const indexDef = async (name: string) =>
    (
      await db.query<{ d: string }>('SELECT pg_get_indexdef(oid) AS d FROM pg_class WHERE relname = $1', [
        name,
      ])
    ).rows[0]?.d;

  beforeAll(async () => {
    db = await createTestDb();
  });
  afterAll(() => db.close());

  it('is built with m 32 / ef_construction 128 for memories and pgvector defaults for chunks', async () => {
    expect(await indexDef('memories_embedding_hnsw_384')).toMatch(/m='32', ef_construction='128'/);
    expect(await indexDef('chunks_embedding_hnsw_384')).toMatch(/m='16', ef_construction='64'/);
    expect(createVectorIndexSql('memories', 768)).toContain('WITH (m = 32, ef_construction = 128)');
    expect(createVectorIndexSql('chunks', 768)).toContain('WITH (m = 16, ef_construction = 64)');
  });

  it('keeps the memory options when a reindex builds the index of a new dimension', async () => {
    const mem = new SemanticMemory(db, new HashEmbedder());
    await mem.remember({ tenant: 't', principalId: 'p' }, { text: 'The VPN gateway is in Frankfurt' });
    await reindex(db, new HashEmbedder({ dimensions: 96 }), { deferIndexAbove: 0 });
    expect(await indexDef('memories_embedding_hnsw_96')).toMatch(/m='32', ef_construction='128'/);
    const found = await new SemanticMemory(db, new HashEmbedder({ dimensions: 96 })).recall(
      { tenant: 't', principalId: 'p' },
      { query: 'where is the VPN gateway?' },
    );
    expect(found.map((m) => m.text)).toEqual(['The VPN gateway is in Frankfurt']);
  });
});
