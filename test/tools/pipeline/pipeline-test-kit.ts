import { SkillgateError } from '../../../src/core/errors.js';
import type { ChildRunRequest, ChildRunResult, RunMode } from '../../../src/tools/handler.js';

export type ChildFn = (input: Record<string, unknown>, mode: RunMode) => Promise<unknown> | unknown;

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A tiny stand-in for the engine's `invoke`: runs plain functions by skill id, numbers child runs,
 * logs calls with start/end times, and tracks how many children run at once.
 * A function that throws a SkillgateError gives a `failed` child with that code.
 */
export function tinyEngine(fns: Record<string, ChildFn>) {
  const calls: (ChildRunRequest & { runId: string; start: number; end?: number })[] = [];
  let running = 0;
  let maxRunning = 0;
  const invoke = async (req: ChildRunRequest): Promise<ChildRunResult> => {
    const runId = `run_child_${calls.length + 1}`;
    const call = { ...req, runId, start: Date.now() } as (typeof calls)[number];
    calls.push(call);
    running++;
    maxRunning = Math.max(maxRunning, running);
    try {
      const fn = fns[req.skill];
      if (!fn) throw new SkillgateError('skill.not_found', `No skill "${req.skill}" is loaded.`);
      const output = await fn(req.input, req.mode);
      return { runId, status: req.mode === 'dry_run' ? 'dry_run' : 'succeeded', output };
    } catch (err) {
      const e = err instanceof SkillgateError ? err : new SkillgateError('skill.failed', String(err));
      return { runId, status: 'failed', error: { code: e.code, message: e.message } };
    } finally {
      running--;
      call.end = Date.now();
    }
  };
  return {
    invoke,
    calls,
    get maxRunning() {
      return maxRunning;
    },
  };
}
