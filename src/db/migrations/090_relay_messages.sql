-- Cross-replica relay (LISTEN/NOTIFY): a NOTIFY payload is limited to 8000 bytes, so a larger message
-- is stored here and only its id is notified. Rows are short-lived: senders delete expired ones.

CREATE TABLE IF NOT EXISTS relay_messages (
  id text PRIMARY KEY,
  channel text NOT NULL,
  payload text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX IF NOT EXISTS relay_messages_created_at ON relay_messages (created_at);
