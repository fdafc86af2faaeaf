import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Config } from '../../core/config/config-schema.js';
import { SkillgateError } from '../../core/errors.js';
import { sha256Hex } from '../../core/hash.js';
import { type Clock, defaultIds, systemClock } from '../../core/ids.js';
import type { Principal } from '../../core/principal.js';
import { resolvePrincipal } from '../../core/principals.js';
import type { Db } from '../../db/db.js';

/** What `create` takes: a name and either a role (a principal `token:<name>`) or a config principal. */
export const CreateTokenSchema = z
  .object({
    name: z
      .string()
      .regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,63}$/, 'names are 1-64 letters, digits, "_", "." or "-"'),
    role: z.string().min(1).optional(),
    principal: z.string().min(1).optional(),
    /** Default: the principal's tenant, else `config.tenant`. */
    tenant: z.string().min(1).optional(),
    /** Lifetime in ms; none means the token never expires. */
    expiresInMs: z.number().int().positive().optional(),
    createdBy: z.string().min(1),
  })
  .refine((t) => (t.role === undefined) !== (t.principal === undefined), {
    message: 'give either a role or a principal',
  });
export type CreateToken = z.input<typeof CreateTokenSchema>;

/** A stored token, without its secret. */
export interface ApiTokenRecord {
  id: string;
  name: string;
  tenant: string;
  /** The first characters of the token, to tell tokens apart. */
  prefix: string;
  principalId: string | null;
  role: string | null;
  createdBy: string;
  createdAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
}

/** Why a bearer token was refused. */
export type TokenRefusal = 'missing' | 'malformed' | 'unknown' | 'revoked' | 'expired' | 'principal_unknown';

export type TokenCheck =
  | { ok: true; token: ApiTokenRecord; principal: Principal }
  | { ok: false; reason: TokenRefusal };

export interface TokenStoreOptions {
  config: Config;
  clock?: Clock;
  /** How long a verified token is trusted without a lookup (default `config.mcp.token_cache`). */
  cacheMs?: number;
}

interface TokenRow {
  id: string;
  name: string;
  tenant: string;
  token_prefix: string;
  principal_id: string | null;
  role: string | null;
  created_by: string;
  created_at: Date;
  expires_at: Date | null;
  revoked_at: Date | null;
  last_used_at: Date | null;
}

const TOKEN_PREFIX = 'sgt_';
const TOKEN_PATTERN = /^sgt_[A-Za-z0-9_-]{43}$/;
const LAST_USED_EVERY_MS = 60_000;

function fromRow(r: TokenRow): ApiTokenRecord {
  return {
    id: r.id,
    name: r.name,
    tenant: r.tenant,
    prefix: r.token_prefix,
    principalId: r.principal_id,
    role: r.role,
    createdBy: r.created_by,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    revokedAt: r.revoked_at,
    lastUsedAt: r.last_used_at,
  };
}

/** The sha256 under which a token is stored. */
export function tokenHash(token: string): string {
  return sha256Hex(token);
}

/**
 * API tokens for MCP over HTTP. Tokens are `sgt_` + 32 random bytes (base64url); only their sha256
 * is stored, so a token is shown exactly once, by `create`. A token maps to a principal: a configured
 * one, or `{id: 'token:<name>', tenant, roles: [role]}`. `verify` keeps a verified token for
 * `cacheMs` (revocation through this store takes effect at once; through another process within
 * `cacheMs`).
 */
export class TokenStore {
  private readonly clock: Clock;
  private readonly cacheMs: number;
  private readonly cache = new Map<string, { row: ApiTokenRecord; at: number }>();
  private readonly lastUsedWrite = new Map<string, number>();

  constructor(
    private readonly db: Db,
    private readonly options: TokenStoreOptions,
  ) {
    this.clock = options.clock ?? systemClock;
    this.cacheMs = options.cacheMs ?? options.config.mcp.token_cache;
  }

  /** Creates a token; returns the token (never stored) and its record. */
  async create(input: CreateToken): Promise<{ token: string; record: ApiTokenRecord }> {
    const parsed = CreateTokenSchema.safeParse(input);
    if (!parsed.success) {
      throw new SkillgateError(
        'request.invalid',
        `Invalid token request: ${parsed.error.issues[0].message}.`,
      );
    }
    const t = parsed.data;
    const config = this.options.config;
    let tenant = t.tenant ?? config.tenant;
    if (t.principal) {
      const p = resolvePrincipal(config, t.principal);
      if (t.tenant && t.tenant !== p.tenant) {
        throw new SkillgateError(
          'request.invalid',
          `Principal ${p.id} belongs to tenant ${p.tenant}, not ${t.tenant}.`,
        );
      }
      tenant = p.tenant;
    } else if (t.role && !config.roles[t.role]) {
      throw new SkillgateError(
        'request.invalid',
        `Unknown role "${t.role}". Roles: ${Object.keys(config.roles).join(', ')}.`,
        { role: t.role },
      );
    }
    const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const now = this.clock();
    const expiresAt = t.expiresInMs ? new Date(now.getTime() + t.expiresInMs) : null;
    try {
      const r = await this.db.query<TokenRow>(
        `INSERT INTO api_tokens (id, name, tenant, token_hash, token_prefix, principal_id, role, created_by, created_at, expires_at)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10) RETURNING *`,
        [
          defaultIds('tok'),
          t.name,
          tenant,
          tokenHash(token),
          token.slice(0, 12),
          t.principal ?? null,
          t.role ?? null,
          t.createdBy,
          now,
          expiresAt,
        ],
      );
      return { token, record: fromRow(r.rows[0]) };
    } catch (err) {
      if (/duplicate key|unique/i.test((err as Error).message)) {
        throw new SkillgateError('token.name_taken', `A token named "${t.name}" already exists.`, {
          name: t.name,
        });
      }
      throw err;
    }
  }

  /** Tokens, newest first (revoked ones only with `includeRevoked`). */
  async list(options: { tenant?: string; includeRevoked?: boolean } = {}): Promise<ApiTokenRecord[]> {
    const where: string[] = [];
    const vals: unknown[] = [];
    if (options.tenant) where.push(`tenant = $${vals.push(options.tenant)}`);
    if (!options.includeRevoked) where.push('revoked_at IS NULL');
    const r = await this.db.query<TokenRow>(
      `SELECT * FROM api_tokens ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, name`,
      vals,
    );
    return r.rows.map(fromRow);
  }

  /** Revokes a token by name; `token.not_found` if there is none (revoking twice is fine). */
  async revoke(name: string): Promise<ApiTokenRecord> {
    const r = await this.db.query<TokenRow>(
      'UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, $2) WHERE name = $1 RETURNING *',
      [name, this.clock()],
    );
    if (!r.rows[0]) {
      throw new SkillgateError('token.not_found', `No token named "${name}".`, { name });
    }
    for (const [hash, entry] of this.cache) if (entry.row.name === name) this.cache.delete(hash);
    return fromRow(r.rows[0]);
  }

  /** Checks a bearer token and resolves its principal. Never throws for a bad token. */
  async verify(token: string | undefined): Promise<TokenCheck> {
    if (!token) return { ok: false, reason: 'missing' };
    if (!TOKEN_PATTERN.test(token)) return { ok: false, reason: 'malformed' };
    const hash = tokenHash(token);
    const nowMs = this.clock().getTime();
    let row = this.cache.get(hash);
    if (!row || nowMs - row.at > this.cacheMs) {
      const r = await this.db.query<TokenRow>('SELECT * FROM api_tokens WHERE token_hash = $1', [hash]);
      if (!r.rows[0]) {
        this.cache.delete(hash);
        return { ok: false, reason: 'unknown' };
      }
      row = { row: fromRow(r.rows[0]), at: nowMs };
      if (this.cacheMs > 0) this.cache.set(hash, row);
    }
    const rec = row.row;
    if (rec.revokedAt) return { ok: false, reason: 'revoked' };
    if (rec.expiresAt && rec.expiresAt.getTime() <= nowMs) return { ok: false, reason: 'expired' };
    let principal: Principal;
    if (rec.principalId) {
      try {
        principal = resolvePrincipal(this.options.config, rec.principalId);
      } catch {
        return { ok: false, reason: 'principal_unknown' };
      }
    } else {
      principal = { id: `token:${rec.name}`, tenant: rec.tenant, roles: [rec.role!], displayName: rec.name };
    }
    this.touch(rec, nowMs);
    return { ok: true, token: rec, principal };
  }

  /** Records `last_used_at`, at most once a minute per token, without waiting for it. */
  private touch(rec: ApiTokenRecord, nowMs: number): void {
    const last = this.lastUsedWrite.get(rec.id) ?? 0;
    if (nowMs - last < LAST_USED_EVERY_MS) return;
    this.lastUsedWrite.set(rec.id, nowMs);
    this.db
      .query('UPDATE api_tokens SET last_used_at = $2 WHERE id = $1', [rec.id, new Date(nowMs)])
      .catch(() => {});
  }
}
