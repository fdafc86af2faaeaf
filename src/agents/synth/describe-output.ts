import type { StepView } from '../execute/execute-plan.js';

const LABEL_KEYS = [
  'name',
  'customer_name',
  'company',
  'recipient',
  'number',
  'invoice',
  'title',
  'service',
  'skill_id',
  'text',
  'id',
];
const COUNT_KEYS = ['count', 'deleted_count', 'total_runs', 'total', 'chunks'];

function label(row: unknown): string {
  if (row === null || typeof row !== 'object') return String(row);
  const r = row as Record<string, unknown>;
  const parts: string[] = [];
  for (const k of LABEL_KEYS) {
    const v = r[k];
    if ((typeof v === 'string' || typeof v === 'number') && parts.length < 2) {
      parts.push(k === 'number' ? `#${v}` : String(v).slice(0, 80));
    }
  }
  if (typeof r.amount === 'number' || typeof r.amount === 'string')
    parts.push(`${r.amount} ${r.currency ?? ''}`.trim());
  if (typeof r.status === 'string' && !parts.includes(r.status)) parts.push(r.status);
  if (parts.length) return parts.join(', ');
  const scalars = Object.entries(r).filter(([, v]) => ['string', 'number', 'boolean'].includes(typeof v));
  return scalars
    .slice(0, 3)
    .map(([k, v]) => `${k.replace(/_/g, ' ')} ${v}`)
    .join(', ');
}

function plural(n: number, noun: string): string {
  return n === 1 && noun.endsWith('s') ? `1 ${noun.slice(0, -1)}` : `${n} ${noun}`;
}

/** One sentence about a single output object, from its shape (lists, counts, headline, answer). */
export function describeOne(output: unknown): string {
  if (output === undefined || output === null) return 'it returned nothing';
  if (typeof output !== 'object') return String(output).slice(0, 300);
  const o = output as Record<string, unknown>;
  if (typeof o.answer === 'string') return o.answer.slice(0, 600);
  if (typeof o.headline === 'string') return o.headline;
  if (typeof o.action === 'string' && typeof o.text === 'string')
    return `${o.action}: "${o.text.slice(0, 200)}"`;
  const parts: string[] = [];
  for (const [k, v] of Object.entries(o)) {
    if (!Array.isArray(v)) continue;
    const noun = k.replace(/_/g, ' ');
    if (v.length === 0) {
      if (!['tags', 'errors', 'warnings'].includes(k)) parts.push(`no ${noun}`);
    } else {
      const shown = v.slice(0, 3).map(label).join('; ');
      parts.push(`${plural(v.length, noun)}: ${shown}${v.length > 3 ? '; …' : ''}`);
    }
  }
  for (const k of COUNT_KEYS)
    if (typeof o[k] === 'number' && parts.length < 3) parts.push(`${k.replace(/_/g, ' ')} ${o[k]}`);
  if (parts.length) return parts.join('; ');
  if (typeof o.text === 'string') return o.text.slice(0, 300);
  for (const k of ['action', 'status', 'title', 'id']) if (typeof o[k] === 'string') return `${k}: ${o[k]}`;
  return `fields ${Object.keys(o).slice(0, 6).join(', ')}`;
}

/** A statement about one step's outcome, for the offline answer. */
export function describeStep(v: StepView): string {
  const skill = v.step.skill;
  if (v.status === 'failed') return `${skill} failed: ${v.error?.message ?? 'unknown error'}`;
  if (v.status === 'waiting') {
    const ids = v.instances.filter((i) => i.approvalId).map((i) => i.approvalId);
    return `${skill} is waiting for approval${ids.length ? ` (${ids.join(', ')})` : ''}`;
  }
  if (v.status === 'skipped') return `${skill} was skipped because an earlier step did not succeed`;
  if (v.status === 'pending') return `${skill} has not run yet`;
  if (Array.isArray(v.output)) {
    if (v.output.length === 0) return `${skill}: nothing to do (the list was empty)`;
    return `${skill} ran ${v.output.length} time${v.output.length > 1 ? 's' : ''}: ${v.output
      .slice(0, 3)
      .map(describeOne)
      .join(' | ')}${v.output.length > 3 ? ' | …' : ''}`;
  }
  return `${skill}: ${describeOne(v.output)}`;
}
