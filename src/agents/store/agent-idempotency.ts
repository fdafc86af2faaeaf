import { SkillgateError } from '../../core/errors.js';
import type { Principal } from '../../core/principal.js';
import type { Queryable } from '../../db/db.js';
import type { AgentRunRecord } from '../agent-types.js';
import { findAgentRunByKey } from './agent-store.js';

/** Runs a replay must not return yet: the first ask is still planning or executing. */
const UNSETTLED = new Set(['planning', 'running']);

/**
 * The first agent run of an ask with this idempotency key (per tenant and principal), for a replay
 * to return instead of planning again. Throws `idempotency.in_progress` while it is still planning
 * or running (or not visible yet), and `idempotency.key_reused` when it answered another request.
 */
export async function firstRunOfAsk(
  q: Queryable,
  principal: Principal,
  key: string,
  request: string,
): Promise<AgentRunRecord> {
  const first = await findAgentRunByKey(q, principal.tenant, principal.id, key);
  if (!first || UNSETTLED.has(first.status)) {
    throw new SkillgateError(
      'idempotency.in_progress',
      `The first request with idempotency key "${key}"${first ? ` (agent run ${first.id})` : ''} is still running.`,
      { first_run: first?.id ?? null },
    );
  }
  if (first.request !== request.trim()) {
    throw new SkillgateError(
      'idempotency.key_reused',
      `Idempotency key "${key}" was already used for another request (agent run ${first.id}).`,
      { first_run: first.id },
    );
  }
  return first;
}
