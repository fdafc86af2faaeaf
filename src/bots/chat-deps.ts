import type { Logger } from 'pino';
import { appendAudit } from '../core/audit/audit-log.js';
import type { Config } from '../core/config/config-schema.js';
import type { Engine } from '../core/engine.js';
import type { Principal } from '../core/principal.js';
import type { Db } from '../db/db.js';
import type { Embedder } from '../memory/embedders/embedder.js';
import type { SkillRegistry } from '../tools/registry.js';
import type { ApprovalCardSync } from './approval-card-sync.js';
import type { AskFn } from './ask-seam.js';
import type { ChatPlace, ChatReplies, ChatSurface, ChatUser } from './chat-message.js';

/** What the chat layer uses of a Skillgate app. */
export interface ChatAppParts {
  config: Config;
  db: Db;
  engine: Engine;
  registry: SkillRegistry;
  embedder: Embedder;
  logger: Logger;
  secrets: { redact(text: string): string; get(name: string): string | undefined };
}

/** One incoming chat interaction: who, where, its delivery key (dedupe + idempotency), how to reply. */
export interface ChatContext {
  user: ChatUser;
  place: ChatPlace;
  /** Unique per delivery (`ev:<event_id>`, `int:<interaction id>`): retries reuse it. */
  eventKey: string;
  replies: ChatReplies;
}

/** Everything the chat handlers share (built once by `ChatService`). */
export interface ChatDeps {
  app: ChatAppParts;
  surface: ChatSurface;
  cards: ApprovalCardSync;
  ask: AskFn;
  platform: 'slack' | 'discord';
  /** How users type the command, for help texts (`/skillgate`). */
  commandName: string;
  clock: () => Date;
  redact: (text: string) => string;
}

/** Appends one audit entry for something done from chat (links, refused decisions). */
export function auditChat(
  deps: ChatDeps,
  principal: Principal,
  action: string,
  data: Record<string, unknown>,
): Promise<void> {
  return deps.app.db.tx((q) =>
    appendAudit(q, [
      {
        tenant: principal.tenant,
        actor: principal.id,
        action,
        data: { channel: deps.platform, ...data },
        ts: deps.clock(),
      },
    ]),
  );
}
