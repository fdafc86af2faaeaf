import type { EngineEvent } from '../core/events.js';
import type { CliContext } from './cli-context.js';

const MARK: Record<string, string> = {
  running: '…',
  succeeded: '✓',
  failed: '✗',
  skipped: '-',
  pending_approval: '⏸',
};

/**
 * Live progress of a run on a terminal: one line per pipeline step change on stderr. Returns
 * undefined when stderr is not a terminal (scripts and tests get clean output).
 */
export function stepProgress(ctx: CliContext): ((e: EngineEvent) => void) | undefined {
  if (!ctx.interactive) return undefined;
  const started = Date.now();
  return (e) => {
    if (e.type === 'step_progress') {
      const status = String(e.data.status);
      const secs = ((Date.now() - started) / 1000).toFixed(1);
      ctx.err(
        `  ${MARK[status] ?? '·'} ${String(e.data.step).padEnd(20)} ${String(e.data.skill ?? '').padEnd(28)} ${status} ${secs}s`,
      );
    } else if (e.type === 'routing_decision' && e.data.skill) {
      ctx.err(
        `  → routed to ${String(e.data.skill)} (confidence ${Number(e.data.confidence ?? 0).toFixed(2)})`,
      );
    }
  };
}
