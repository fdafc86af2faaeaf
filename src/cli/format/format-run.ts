import type { EngineEvent } from '../../core/events.js';
import type { RunRecord } from '../../core/records/run-record.js';
import type { StepRecord } from '../../tools/handler.js';
import { type FormatOptions, formatValue } from './format-value.js';

/** A run's steps, with the steps of their child runs, as fetched for `runs show`. */
export interface StepNode {
  step: StepRecord;
  children: StepNode[];
}

function ms(start?: Date | null, end?: Date | null): string {
  return start && end ? `${new Date(end).getTime() - new Date(start).getTime()} ms` : '';
}

function iso(d?: Date | null): string {
  return d ? new Date(d).toISOString() : '-';
}

/** Renders step nodes as a tree (`├─`, `└─`) with status and timing. */
export function renderStepTree(nodes: StepNode[], prefix = ''): string[] {
  const lines: string[] = [];
  nodes.forEach((n, i) => {
    const last = i === nodes.length - 1;
    const s = n.step;
    const err =
      s.error && typeof s.error === 'object' ? ` (${(s.error as { code?: string }).code ?? 'error'})` : '';
    lines.push(
      `${prefix}${last ? '└─' : '├─'} ${s.stepId}  ${s.skillId}  ${s.status}${err}  ${ms(s.startedAt, s.finishedAt)}`.trimEnd(),
    );
    lines.push(...renderStepTree(n.children, `${prefix}${last ? '   ' : '│  '}`));
  });
  return lines;
}

/** Events as `+offset  type  data` lines. */
export function renderEvents(events: EngineEvent[]): string[] {
  if (events.length === 0) return [];
  const t0 = new Date(events[0].ts).getTime();
  return events.map((e) => {
    const data = JSON.stringify(e.data);
    const offset = `+${new Date(e.ts).getTime() - t0} ms`;
    return `${offset.padStart(9)}  ${e.type.padEnd(20)} ${data.length > 120 ? `${data.slice(0, 119)}…` : data}`;
  });
}

/** The human-readable view of one run for `runs show`. */
export function formatRunDetails(
  run: RunRecord,
  steps: StepNode[],
  events: EngineEvent[],
  options: FormatOptions = {},
): string {
  const out: string[] = [];
  out.push(`run ${run.id}  ${run.status}`);
  out.push(`  skill      ${run.skillId ?? '-'}${run.skillVersion ? ` ${run.skillVersion}` : ''}`);
  if (run.query) out.push(`  query      ${run.query}`);
  out.push(`  principal  ${run.principal} (tenant ${run.tenant}), channel ${run.channel}, mode ${run.mode}`);
  out.push(`  request    ${run.requestId}${run.parentRunId ? `, parent run ${run.parentRunId}` : ''}`);
  out.push(`  created    ${iso(run.createdAt)}`);
  out.push(`  started    ${iso(run.startedAt)}`);
  out.push(`  finished   ${iso(run.finishedAt)}${run.durationMs != null ? `  (${run.durationMs} ms)` : ''}`);
  out.push(
    `  cost       $${Number(run.costUsd).toFixed(4)}, ${run.tokens} tokens, ${run.attempts} attempt(s)`,
  );
  if (run.approvalId) out.push(`  approval   ${run.approvalId}`);
  out.push('input:');
  out.push(formatValue(run.input ?? {}, '  ', options));
  if (run.output !== undefined) {
    out.push('output:');
    out.push(formatValue(run.output, '  ', options));
  }
  if (run.preview !== undefined) {
    out.push('preview:');
    out.push(formatValue(run.preview, '  ', options));
  }
  if (run.error) {
    const e = run.error as { code?: string; message?: string; hint?: string };
    out.push('error:');
    out.push(`  ${e.code ?? 'error'}: ${e.message ?? ''}`);
    if (e.hint) out.push(`  hint: ${e.hint}`);
  }
  if (steps.length) {
    out.push('steps:');
    out.push(...renderStepTree(steps, '  '));
  }
  if (events.length) {
    out.push('events:');
    out.push(...renderEvents(events));
  }
  return out.join('\n');
}
