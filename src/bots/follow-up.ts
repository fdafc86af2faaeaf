import { parseKeyValues } from '../tools/parse-key-values.js';
import type { Skill } from '../tools/skill.js';
import { tokenize } from './command-grammar.js';
import type { SessionTurn } from './store/session-store.js';

const AGAIN = /^(again|retry|repeat|once more|same again|do it again)[.!]?$/i;

/**
 * Follow-ups that only make sense in a thread's context, resolved without a model: `again` re-runs
 * the thread's last skill with its input; a message of `key=value` words only re-runs it with those
 * fields changed (`limit=5`). Anything else is a new request (undefined).
 */
export function resolveFollowUp(
  text: string,
  turns: SessionTurn[],
  skillOf: (id: string) => Skill | undefined,
): { kind: 'skill'; skill: string; input: Record<string, unknown> } | undefined {
  const last = [...turns].reverse().find((t) => t.skill);
  if (!last?.skill) return undefined;
  const trimmed = text.trim();
  if (AGAIN.test(trimmed)) return { kind: 'skill', skill: last.skill, input: { ...last.input } };
  const words = tokenize(trimmed);
  if (words.length === 0 || !words.every((w) => /^[A-Za-z_][\w.]*=/.test(w))) return undefined;
  const skill = skillOf(last.skill);
  const changes = parseKeyValues(words, skill?.spec.input ?? { type: 'object', properties: {} });
  return { kind: 'skill', skill: last.skill, input: { ...last.input, ...changes } };
}
