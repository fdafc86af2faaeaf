import { describe, expect, it } from 'vitest';
import { openDb } from '../../src/db/open-db.js';

describe('openDb on the embedded default', () => {
  it('applies the configured shared_buffers, and 16MB when none is given', async () => {
    for (const [given, shown] of [
      [undefined, '16MB'],
      ['48MB', '48MB'],
    ] as const) {
      const db = await openDb({ home: '/nonexistent', memory: true, sharedBuffers: given });
      try {
        const r = await db.query<{ shared_buffers: string }>('SHOW shared_buffers');
        expect(r.rows[0].shared_buffers).toBe(shown);
      } finally {
        await db.close();
      }
    }
  });
});
