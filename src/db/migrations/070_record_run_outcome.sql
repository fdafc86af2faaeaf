-- 070 record_run_outcome: the outcome of a run, its events and its audit entry in one call.
-- One round trip instead of a transaction of five statements, and the statements inside are
-- planned once per connection (PL/pgSQL caches their plans) instead of on every run.
--
-- p_run     the run row as JSON (column names), inserted when p_insert, else its outcome columns
--           (status, output, error, cost_usd, tokens, attempts, finished_at, duration_ms) updated;
-- p_events  a JSON array of event rows (tenant, request_id, run_id, type, data, ts);
-- p_audit   the audit entry (ts, tenant, actor, action, target, run_id, data);
-- p_head, p_tail  its canonical JSON split around `seq` (see auditPayloadParts in audit-log.ts):
--           the entry's hash is sha256(prev_hash || p_head || seq || p_tail), exactly what
--           verifyAudit recomputes. The head row is locked until the caller's statement commits.
CREATE FUNCTION record_run_outcome(p_run jsonb, p_insert boolean, p_events jsonb, p_audit jsonb,
                                   p_head text, p_tail text)
RETURNS bigint LANGUAGE plpgsql AS $fn$
DECLARE
  h_seq  bigint;
  h_hash text;
  n_hash text;
BEGIN
  IF p_insert THEN
    INSERT INTO runs SELECT * FROM jsonb_populate_record(NULL::runs, p_run);
  ELSE
    UPDATE runs r SET status = x.status, output = x.output, error = x.error, cost_usd = x.cost_usd,
           tokens = x.tokens, attempts = x.attempts, finished_at = x.finished_at,
           duration_ms = x.duration_ms
      FROM jsonb_populate_record(NULL::runs, p_run) x
     WHERE r.id = x.id;
  END IF;
  INSERT INTO events (tenant, request_id, run_id, type, data, ts)
    SELECT e.tenant, e.request_id, e.run_id, e.type, e.data, e.ts
      FROM jsonb_populate_recordset(NULL::events, p_events) e;
  SELECT seq, hash INTO h_seq, h_hash FROM audit_head WHERE id = 1 FOR UPDATE;
  n_hash := encode(sha256(convert_to(h_hash || p_head || (h_seq + 1)::text || p_tail, 'UTF8')), 'hex');
  INSERT INTO audit_log (seq, ts, tenant, actor, action, target, run_id, data, prev_hash, hash)
    SELECT h_seq + 1, a.ts, a.tenant, a.actor, a.action, a.target, a.run_id, COALESCE(a.data, '{}'),
           h_hash, n_hash
      FROM jsonb_populate_record(NULL::audit_log, p_audit) a;
  UPDATE audit_head SET seq = h_seq + 1, hash = n_hash WHERE id = 1;
  RETURN h_seq + 1;
END
$fn$;

-- Several outcomes in one call (group commit: runs that finish while another outcome is being
-- written share the next call), appended to the chain in array order. Each element is
-- {run, insert, events, audit, head, tail} with the parameters above.
CREATE FUNCTION record_run_outcomes(p_outcomes jsonb)
RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE
  o jsonb;
BEGIN
  FOR o IN SELECT value FROM jsonb_array_elements(p_outcomes) LOOP
    PERFORM record_run_outcome(o->'run', (o->>'insert')::boolean, o->'events', o->'audit',
                               o->>'head', o->>'tail');
  END LOOP;
END
$fn$;
