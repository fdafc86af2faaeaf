-- The hash the head pointed at before its newest entry. Lets one statement append an entry and
-- read back both its prev_hash and its hash (UPDATE ... RETURNING sees only new values), so a run's
-- outcome and its audit entry commit in one round trip. Scratch state: verification ignores it.
ALTER TABLE audit_head ADD COLUMN prev_hash text;
