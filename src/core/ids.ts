import { randomBytes } from 'node:crypto';

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
  const bytes = randomBytes(12);
  let rand = '';
  for (const b of bytes) rand += ALPHABET[b % 32];
  return `${prefix}_${time}${rand}`;
}

export type IdGenerator = (prefix: string) => string;
export const defaultIds: IdGenerator = (prefix) => newId(prefix);
