import { randomFillSync } from 'node:crypto';

export type Clock = () => Date;
export const systemClock: Clock = () => new Date();

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/** Time-sortable id with a readable prefix: `run_01hx...` (10 chars time, 12 random). */
export function newId(prefix: string, now = Date.now()): string {
  let t = now;
  let time = '';
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  let rand = '';
  for (const b of randomChunk(12)) rand += ALPHABET[b % 32];
  return `${prefix}_${time}${rand}`;
}

/** Random bytes served from a pool refilled 4 KiB at a time (one system call per ~340 ids). */
const pool = Buffer.alloc(4096);
let poolAt = pool.length;
function randomChunk(n: number): Uint8Array {
  if (poolAt + n > pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  poolAt += n;
  return pool.subarray(poolAt - n, poolAt);
}

export type IdGenerator = (prefix: string) => string;
export const defaultIds: IdGenerator = (prefix) => newId(prefix);
