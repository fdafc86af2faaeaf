import { randomBytes } from 'node:crypto';
import type { ClientCapabilities, Implementation } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';

/**
 * What a session id carries: the client's initialize parameters (protocol version, capabilities,
 * client info) and a random nonce. The server keeps no session state: any replica decodes the id
 * that the client sends back on every request, so no sticky sessions are needed. When the next spec
 * sends capabilities with each request, only `sessionOf` changes.
 */
export const SessionInfoSchema = z.object({
  /** Protocol version the client asked for at initialize. */
  v: z.string().max(40),
  /** Client capabilities. */
  c: z.record(z.string(), z.unknown()),
  /** Client name and version. */
  i: z.object({ name: z.string().max(200), version: z.string().max(100) }),
  n: z.string().max(40),
});
export type SessionInfo = z.infer<typeof SessionInfoSchema>;

const PREFIX = 'sg1.';
const MAX_LENGTH = 2048;
/** Capabilities the server acts on; the rest is dropped when the id would grow too long. */
const KEPT = ['elicitation', 'sampling', 'roots'];

/** A new session id for these initialize parameters. */
export function newSessionId(params: {
  protocolVersion: string;
  capabilities?: ClientCapabilities;
  clientInfo?: Implementation;
}): string {
  const info: SessionInfo = {
    v: params.protocolVersion.slice(0, 40),
    c: (params.capabilities ?? {}) as Record<string, unknown>,
    i: {
      name: String(params.clientInfo?.name ?? 'unknown').slice(0, 200),
      version: String(params.clientInfo?.version ?? '0').slice(0, 100),
    },
    n: randomBytes(12).toString('base64url'),
  };
  let id = PREFIX + Buffer.from(JSON.stringify(info)).toString('base64url');
  if (id.length > MAX_LENGTH) {
    info.c = Object.fromEntries(Object.entries(info.c).filter(([k]) => KEPT.includes(k)));
    id = PREFIX + Buffer.from(JSON.stringify(info)).toString('base64url');
  }
  return id;
}

/** The session an id describes, or undefined for an id this server did not issue. */
export function sessionOf(id: string | undefined): SessionInfo | undefined {
  if (!id?.startsWith(PREFIX) || id.length > MAX_LENGTH + 64) return undefined;
  try {
    const parsed = SessionInfoSchema.safeParse(
      JSON.parse(Buffer.from(id.slice(PREFIX.length), 'base64url').toString('utf8')),
    );
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
