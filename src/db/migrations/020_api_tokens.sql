-- 020 api tokens: bearer tokens for MCP over HTTP. Only the sha256 of a token is stored; the token
-- itself is printed once at creation. A token acts as a configured principal (`principal_id`) or as
-- its own principal `token:<name>` with one role in one tenant (`role`).
CREATE TABLE api_tokens (
  id            text PRIMARY KEY,
  name          text NOT NULL UNIQUE,
  tenant        text NOT NULL,
  token_hash    text NOT NULL UNIQUE,
  -- The first characters of the token, shown by `tokens list` to tell tokens apart.
  token_prefix  text NOT NULL,
  principal_id  text,
  role          text,
  created_by    text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  expires_at    timestamptz,
  revoked_at    timestamptz,
  last_used_at  timestamptz,
  CHECK ((principal_id IS NULL) <> (role IS NULL))
);
CREATE INDEX api_tokens_tenant ON api_tokens (tenant, created_at DESC);
