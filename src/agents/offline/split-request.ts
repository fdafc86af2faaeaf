import { codeIn } from './special-slots.js';

/** A request split into the clauses a deterministic planner handles one skill each. */
export interface RequestShape {
  clauses: string[];
  /** "remind everyone with an overdue invoice over 1,000 EUR": an action over the items of a list. */
  quantified?: { action: string; filter: string };
}

const THEN = /\s*(?:[,;]\s*)?(?:\band\s+)?\b(?:then|afterwards|after that)\b[\s,]*|\s*;\s*|,?\s+and also\s+/i;
const QUANTIFIER =
  /^(?<action>.+?)\s+(?:to\s+)?(?:everyone|everybody|every customer|each customer|all customers|all the customers|anyone|all clients|every client)\s+(?:with|who has|who have|that has|that have|having|whose)\s+(?<filter>.+)$/i;

/**
 * Splits a request on "then" / ";" / "and also" into clauses, and recognises the quantified form
 * "<action> everyone with <condition>". Empty clauses are dropped; a request carrying code is one
 * clause.
 */
export function splitRequest(request: string): RequestShape {
  const text = request.trim().replace(/\s+/g, ' ');
  // Code in the request (`;`, "then" inside it) is never split.
  if (codeIn(request)) return { clauses: [request.trim()] };
  const q = QUANTIFIER.exec(text.replace(/[.!?]+$/, ''));
  if (q?.groups) return { clauses: [text], quantified: { action: q.groups.action, filter: q.groups.filter } };
  const clauses = text
    .split(THEN)
    .map((c) => c.trim().replace(/^[,;.\s]+|[,;\s]+$/g, ''))
    .filter((c) => c.length > 0);
  return { clauses: clauses.length ? clauses : [text] };
}

/** "its headline", "their total", "the result", "it": a reference to the previous step's output. */
export function referenceIn(clause: string): { field?: string } | undefined {
  const m = /\b(?:its|their|the|that)\s+([a-z_]+)\b/i.exec(clause);
  if (m) return { field: m[1].toLowerCase() };
  if (/\b(?:it|this|that|them)\b/i.test(clause)) return {};
  return undefined;
}
