-- 040 chat: Slack/Discord identities, thread sessions, processed chat events.

-- A chat user (slack:U123, discord:1234...) acts as a configured principal.
CREATE TABLE chat_identities (
  platform      text NOT NULL CHECK (platform IN ('slack', 'discord')),
  user_id       text NOT NULL,
  tenant        text NOT NULL,
  principal_id  text NOT NULL,
  linked_by     text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (platform, user_id)
);
CREATE INDEX chat_identities_principal ON chat_identities (tenant, principal_id);

-- A thread is a session: its context (turns: request, skill, input, run, status) survives restarts.
CREATE TABLE chat_sessions (
  id            text PRIMARY KEY,
  platform      text NOT NULL,
  channel_id    text NOT NULL,
  thread_id     text NOT NULL,
  tenant        text NOT NULL,
  principal_id  text NOT NULL,
  context       jsonb NOT NULL DEFAULT '{"turns": []}',
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  UNIQUE (platform, channel_id, thread_id)
);
CREATE INDEX chat_sessions_updated ON chat_sessions (updated_at);

-- Deliveries already handled (Slack event ids and retries, Discord interaction ids, clicks):
-- the first claim wins, on every replica.
CREATE TABLE chat_events (
  platform    text NOT NULL,
  event_key   text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (platform, event_key)
);
CREATE INDEX chat_events_created ON chat_events (created_at);
