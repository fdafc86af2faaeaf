import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { SkillgateError } from '../core/errors.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * An exclusive lock on an embedded data directory: PGlite is a single-process database, and two
 * processes writing the same directory lose data. The lock file holds the owner's pid; a lock left
 * by a dead process is taken over. Returns the release function.
 */
export function lockDataDir(dataDir: string): () => void {
  const file = join(dataDir, 'skillgate.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => {
        try {
          if (readFileSync(file, 'utf8') === String(process.pid)) unlinkSync(file);
        } catch {
          // Already gone.
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = Number(readFileSync(file, 'utf8').trim());
      if (owner && owner !== process.pid && alive(owner)) {
        throw new SkillgateError(
          'storage.unavailable',
          `The embedded database in ${dataDir} is in use by process ${owner} (a running \`skillgate serve\`?). Stop it first, or share one Postgres server through DATABASE_URL.`,
          { data_dir: dataDir, pid: owner },
        );
      }
      if (owner === process.pid) {
        throw new SkillgateError(
          'storage.unavailable',
          `The embedded database in ${dataDir} is already open in this process.`,
          {
            data_dir: dataDir,
          },
        );
      }
      unlinkSync(file); // stale: its owner is gone
    }
  }
  throw new SkillgateError('storage.unavailable', `Cannot lock the embedded database in ${dataDir}.`, {
    data_dir: dataDir,
  });
}
