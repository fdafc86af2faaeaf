import type { AnswerCitation, AnswerData } from '../agent-types.js';
import type { StepView } from '../execute/execute-plan.js';
import { callModel, type ModelCallContext } from '../models/call-model.js';
import { type Statement, SynthesisSchema } from '../plan/plan-schema.js';
import type { PromptLibrary } from '../prompts/prompt-library.js';
import { truncateJson } from '../truncate-json.js';
import { describeStep } from './describe-output.js';

/** Library citations found in step outputs (`library.ask` returns `citations`), numbered from 1. */
export function collectCitations(views: StepView[]): AnswerCitation[] {
  const out: AnswerCitation[] = [];
  for (const v of views) {
    const outputs = Array.isArray(v.output) && (v.step.for_each || v.step.derive) ? v.output : [v.output];
    for (const o of outputs) {
      const cites = (o as { citations?: unknown } | undefined)?.citations;
      if (!Array.isArray(cites)) continue;
      for (const c of cites as Record<string, unknown>[]) {
        out.push({
          index: out.length + 1,
          step: v.step.id,
          document_id: String(c.document_id ?? ''),
          title: String(c.title ?? ''),
          heading: typeof c.heading === 'string' ? c.heading : undefined,
          lines: Array.isArray(c.lines) ? (c.lines as [number, number]) : undefined,
          quote: String(c.quote ?? '').slice(0, 500),
        });
      }
    }
  }
  return out;
}

/** The answer text: each statement with its supporting steps and citation numbers, then the sources. */
export function renderAnswer(data: AnswerData): string {
  const lines = data.statements.map((s) => {
    const refs = [...s.steps, ...(s.citations ?? []).map((n) => `${n}`)];
    return `${s.text}${refs.length ? ` [${refs.join(', ')}]` : ''}`;
  });
  if (data.citations.length) {
    lines.push('', 'Sources:');
    for (const c of data.citations) {
      const where = [c.heading, c.lines ? `lines ${c.lines[0]}-${c.lines[1]}` : '']
        .filter(Boolean)
        .join(', ');
      lines.push(`[${c.index}] ${c.title}${where ? ` (${where})` : ''}: "${c.quote.slice(0, 160)}"`);
    }
  }
  return lines.join('\n');
}

/** The answer without a model: one statement per step, citing it (and its library passages). */
export function offlineSynthesis(views: StepView[]): AnswerData {
  const citations = collectCitations(views);
  const statements: Statement[] = views.map((v) => ({
    text: describeStep(v),
    steps: [v.step.id],
    citations: citations.filter((c) => c.step === v.step.id).map((c) => c.index),
  }));
  return { statements, citations };
}

/**
 * The synthesizer model's answer: statements citing step ids and library passage numbers. Unknown
 * step ids and passage numbers are dropped, and a statement left without support is kept only if
 * the model gave none at all (then the offline answer is used instead).
 */
export async function modelSynthesis(
  ctx: ModelCallContext,
  prompts: PromptLibrary,
  request: string,
  views: StepView[],
): Promise<{ data: AnswerData; prompt: string }> {
  const citations = collectCitations(views);
  const prompt = prompts.render('synthesizer', {
    request,
    results: views
      .map(
        (v) =>
          `## ${v.step.id} (${v.step.skill}, ${v.status})\n${v.error ? `error: ${v.error.message}` : truncateJson(v.output, 3000)}`,
      )
      .join('\n\n'),
    citations: citations.map((c) => `[${c.index}] ${c.title}: ${c.quote}`).join('\n'),
  });
  const r = await callModel(ctx, {
    role: 'synthesizer',
    prompt,
    schema: SynthesisSchema,
    schemaName: 'answer',
  });
  const ids = new Set(views.map((v) => v.step.id));
  const statements = (r.output?.statements ?? [])
    .map((s) => ({
      text: s.text,
      steps: s.steps.filter((id) => ids.has(id)),
      citations: (s.citations ?? []).filter((n) => n >= 1 && n <= citations.length),
    }))
    .filter((s) => s.text.trim() !== '');
  if (statements.length === 0) return { data: offlineSynthesis(views), prompt: prompt.ref };
  return { data: { statements, citations }, prompt: prompt.ref };
}
