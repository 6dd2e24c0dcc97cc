-- A tamper-evident audit log, and who acted as the database knows it.
--
-- PostgreSQL cannot stop a table's owner from disabling a trigger, so the log cannot be made
-- unchangeable for the owner; it is made tamper-evident instead. Every transaction that writes
-- audit rows is sealed when it commits: a link in `audit_chain` holds the SHA-256 of each of its
-- rows (in id order) and the hash of the link before it. `beccaria audit verify` recomputes every
-- row and link and names the first break; the nightly run prints the chain's head, so that a
-- rewritten tail shows against the heads printed before.
--
-- Sealing at commit (a deferred constraint trigger) rather than row by row keeps concurrent
-- writers apart until their last moment: the chain's head row is locked from the seal to the
-- end of the commit only, after every other lock the transaction takes, so it adds no deadlock.
--
-- Erasure on request must remove personal values from old audit rows; it may, as the NOLOGIN
-- role beccaria_eraser only, replace a row's old/new values and reason, keeping the SHA-256 of
-- what was there (so the link still verifies) and writing an audit row of its own with the
-- SHA-256 of what is there now (so the scrubbed row is checked too).

ALTER TABLE audit_log
  ADD COLUMN xact xid8,
  ADD COLUMN content_sha256 bytea CONSTRAINT audit_log_content_sha256_length CHECK (length(content_sha256) = 32),
  ADD COLUMN scrubbed_at timestamptz,
  ADD CONSTRAINT audit_log_scrub_complete CHECK ((scrubbed_at IS NULL) = (content_sha256 IS NULL));
-- Set after the column exists: a volatile default in ADD COLUMN would stamp every existing row.
ALTER TABLE audit_log ALTER COLUMN xact SET DEFAULT pg_current_xact_id();

-- The digests. Times enter as microseconds since the epoch (their text would follow the
-- session's time zone); jsonb's text form is canonical (its keys sorted, its numbers normalised).
CREATE FUNCTION audit_content_sha256(old_values jsonb, new_values jsonb, reason text) RETURNS bytea
  LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT pg_catalog.sha256(pg_catalog.convert_to(pg_catalog.jsonb_build_array($1, $2, $3)::text, 'UTF8'))
$$;
CREATE FUNCTION audit_row_sha256(a audit_log) RETURNS bytea
  LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT pg_catalog.sha256(pg_catalog.convert_to(pg_catalog.jsonb_build_array(
    a.id, (extract(epoch FROM a.at) * 1000000)::bigint, a.xact::text, a.db_user, a.actor, a.table_name, a.action, a.row_key,
    a.participant_id,
    pg_catalog.encode(CASE WHEN a.scrubbed_at IS NULL THEN public.audit_content_sha256(a.old_values, a.new_values, a.reason)
                           ELSE a.content_sha256 END, 'hex'))::text, 'UTF8'))
$$;
CREATE FUNCTION audit_link_sha256(
  prev bytea, seq bigint, xact xid8, first_id bigint, last_id bigint, row_count integer, row_digests bytea) RETURNS bytea
  LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT pg_catalog.sha256($1 || pg_catalog.convert_to(pg_catalog.jsonb_build_array($2, $3::text, $4, $5, $6)::text, 'UTF8')
                           || pg_catalog.sha256($7))
$$;

CREATE TABLE audit_chain (
  seq bigint PRIMARY KEY CHECK (seq >= 0),
  xact xid8 NOT NULL UNIQUE,
  first_id bigint,
  last_id bigint,
  row_count integer NOT NULL CHECK (row_count >= 0),
  -- 32 bytes per row, the rows' SHA-256 in id order.
  row_digests bytea NOT NULL CHECK (length(row_digests) = 32 * row_count),
  prev_sha256 bytea NOT NULL CHECK (length(prev_sha256) = 32),
  sha256 bytea NOT NULL UNIQUE CHECK (length(sha256) = 32),
  sealed_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
-- Digests do not compress.
ALTER TABLE audit_chain ALTER COLUMN row_digests SET STORAGE EXTERNAL;
CREATE TABLE audit_chain_head (
  id boolean PRIMARY KEY DEFAULT true CHECK (id),
  seq bigint NOT NULL,
  sha256 bytea NOT NULL
);
-- Transactions with audit rows not yet sealed, and the lowest id their rows can have.
CREATE TABLE audit_pending (
  xact xid8 PRIMARY KEY,
  first_id bigint NOT NULL
);

-- People erased before the chain: their scrubbed audit rows (0007) kept certificates' signatures,
-- which would confirm guesses of the erased name and birth date; they go before the rows are
-- sealed (the append-only guard replaced below honours the old maintenance switch this last time).
SET LOCAL beccaria.maintenance = 'on';
UPDATE audit_log SET old_values = old_values - 'signature', new_values = new_values - 'signature'
 WHERE participant_id IN (SELECT id FROM participant WHERE erased_at IS NOT NULL)
   AND (old_values ? 'signature' OR new_values ? 'signature');
SET LOCAL beccaria.maintenance = 'off';

-- The genesis link (seq 0) seals the rows written before the chain existed.
INSERT INTO audit_chain (seq, xact, first_id, last_id, row_count, row_digests, prev_sha256, sha256)
SELECT 0, '0'::xid8, min(a.id), max(a.id), count(*)::integer, coalesce(string_agg(audit_row_sha256(a), ''::bytea ORDER BY a.id), ''),
       '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea,
       audit_link_sha256('\x0000000000000000000000000000000000000000000000000000000000000000'::bytea, 0, '0'::xid8, min(a.id),
                         max(a.id), count(*)::integer, coalesce(string_agg(audit_row_sha256(a), ''::bytea ORDER BY a.id), ''))
FROM audit_log a;
INSERT INTO audit_chain_head (seq, sha256) SELECT seq, sha256 FROM audit_chain WHERE seq = 0;

-- Sealing at commit. SET CONSTRAINTS cannot move it earlier: fired immediately it would run
-- inside the audit trigger (trigger depth 2), which it refuses.
CREATE FUNCTION audit_seal() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  me xid8 := pg_current_xact_id();
  digests bytea;
  n integer;
  lo bigint;
  hi bigint;
  head_seq bigint;
  head_sha256 bytea;
  link bytea;
BEGIN
  IF pg_trigger_depth() > 1 THEN
    RAISE EXCEPTION 'the audit log is sealed when the transaction commits; its seal cannot be made immediate'
      USING ERRCODE = 'object_not_in_prerequisite_state';
  END IF;
  SELECT string_agg(audit_row_sha256(a), ''::bytea ORDER BY a.id), count(*), min(a.id), max(a.id)
    INTO digests, n, lo, hi
    FROM audit_log a WHERE a.id >= NEW.first_id AND a.xact = me;
  DELETE FROM audit_pending WHERE xact = me;
  IF n = 0 THEN
    RETURN NULL;
  END IF;
  -- The head's row lock serialises the commits that seal; it is the last lock taken. A session
  -- that sealed early (SET CONSTRAINTS ... IMMEDIATE) holds it until it ends: others give up
  -- after 30 s instead of waiting for ever.
  PERFORM set_config('lock_timeout', '30s', true);
  UPDATE audit_chain_head SET seq = seq + 1 RETURNING seq, sha256 INTO head_seq, head_sha256;
  link := audit_link_sha256(head_sha256, head_seq, me, lo, hi, n, digests);
  INSERT INTO audit_chain (seq, xact, first_id, last_id, row_count, row_digests, prev_sha256, sha256)
  VALUES (head_seq, me, lo, hi, n, digests, head_sha256, link);
  UPDATE audit_chain_head SET sha256 = link;
  RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER audit_seal AFTER INSERT ON audit_pending DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION audit_seal();

-- Who acts: a trainer's login is bound to its trainer, whose name is the actor whatever the
-- session's `beccaria.actor` says; other logins state the person acting for them (the office
-- shares logins less often than it shares desks). Control characters never reach the log.
CREATE FUNCTION beccaria_actor() RETURNS text
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT coalesce(
    (SELECT t.name FROM trainer t WHERE t.db_login = session_user),
    nullif(regexp_replace(current_setting('beccaria.actor', true),
                          '[\x01-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b\u200e\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000e0000-\U000e007f]', '', 'g'), ''))
$$;
GRANT EXECUTE ON FUNCTION beccaria_actor() TO beccaria_admin, beccaria_trainer, beccaria_issuer, beccaria_auditor;

-- The generic audit trigger, as before, now noting its transaction for the seal and taking the
-- actor from beccaria_actor().
CREATE OR REPLACE FUNCTION audit_statement() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  keys text[] := string_to_array(TG_ARGV[0], ',');
  omitted text[] := CASE WHEN TG_NARGS > 1 THEN string_to_array(TG_ARGV[1], ',') ELSE '{}'::text[] END;
  actor text := beccaria_actor();
  reason text := nullif(regexp_replace(current_setting('beccaria.reason', true),
                                       '[\x01-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b\u200e\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000e0000-\U000e007f]', '', 'g'), '');
  person_column text;
  key_sql text;
  person_sql text;
  join_sql text;
  row_sql text;
  old_sql text;
  new_sql text;
  first_id bigint;
  written bigint;
BEGIN
  -- Columns left out (large content) are represented by their SHA-256 (`<column>_digest`), so
  -- that a change of them is audited too; binary columns (certificate PDFs) have a hash column
  -- of their own and are left out whole.
  IF cardinality(omitted) > 0 THEN
    SELECT 'jsonb_build_object(' || string_agg(format(expression, 'r'), ', ' ORDER BY attnum) || ')',
           'jsonb_build_object(' || string_agg(format(expression, 'o'), ', ' ORDER BY attnum) || ')',
           'jsonb_build_object(' || string_agg(format(expression, 'n'), ', ' ORDER BY attnum) || ')'
      INTO row_sql, old_sql, new_sql
      FROM (SELECT attnum, CASE WHEN NOT (attname = ANY(omitted))
                                THEN format('%L, %%1$s.%I', attname, attname)
                                ELSE format('%L, encode(sha256(convert_to(%%1$s.%I::text, %L)), %L)',
                                            attname || '_digest', attname, 'UTF8', 'hex') END AS expression
            FROM pg_attribute
            WHERE attrelid = TG_RELID AND attnum > 0 AND NOT attisdropped
              AND NOT (attname = ANY(omitted) AND atttypid = 'bytea'::regtype)) columns;
  END IF;
  person_column := CASE
    WHEN TG_TABLE_NAME = 'participant' THEN 'id'
    WHEN EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = TG_RELID AND attname = 'participant_id' AND NOT attisdropped)
      THEN 'participant_id' END;
  -- A lower bound of this statement's first audit id (the sequence hands out ids in order).
  SELECT last_value INTO first_id FROM audit_log_id_seq;
  IF TG_OP = 'UPDATE' THEN
    key_sql := 'jsonb_build_object(' || (SELECT string_agg(format('%L, coalesce(n.%I, o.%I)', k, k, k), ', ') FROM unnest(keys) k) || ')';
    join_sql := (SELECT string_agg(format('o.%I = n.%I', k, k), ' AND ') FROM unnest(keys) k);
    person_sql := CASE WHEN person_column IS NULL THEN 'NULL::bigint' ELSE format('coalesce(n.%I, o.%I)::bigint', person_column, person_column) END;
    EXECUTE format(
      'INSERT INTO audit_log (actor, reason, table_name, action, row_key, participant_id, old_values, new_values)
       SELECT $1, $2, $3, ''UPDATE'', %s, %s, %s, %s
       FROM old_rows o FULL JOIN new_rows n ON %s
       WHERE %s IS DISTINCT FROM %s', key_sql, person_sql,
       coalesce(old_sql, 'to_jsonb(o)'), coalesce(new_sql, 'to_jsonb(n)'), join_sql,
       coalesce(old_sql, 'to_jsonb(o)'), coalesce(new_sql, 'to_jsonb(n)'))
      USING actor, reason, TG_TABLE_NAME, omitted;
  ELSE
    row_sql := coalesce(row_sql, 'to_jsonb(r)');
    key_sql := 'jsonb_build_object(' || (SELECT string_agg(format('%L, r.%I', k, k), ', ') FROM unnest(keys) k) || ')';
    person_sql := CASE WHEN person_column IS NULL THEN 'NULL::bigint' ELSE format('r.%I::bigint', person_column) END;
    EXECUTE format(
      'INSERT INTO audit_log (actor, reason, table_name, action, row_key, participant_id, old_values, new_values)
       SELECT $1, $2, $3, $4, %s, %s, %s, %s FROM %I r',
      key_sql, person_sql,
      CASE WHEN TG_OP = 'DELETE' THEN row_sql ELSE 'NULL::jsonb' END,
      CASE WHEN TG_OP = 'INSERT' THEN row_sql ELSE 'NULL::jsonb' END,
      CASE WHEN TG_OP = 'DELETE' THEN 'old_rows' ELSE 'new_rows' END)
      USING actor, reason, TG_TABLE_NAME, TG_OP, omitted;
  END IF;
  GET DIAGNOSTICS written = ROW_COUNT;
  IF written > 0 THEN
    INSERT INTO audit_pending (xact, first_id) VALUES (pg_current_xact_id(), first_id) ON CONFLICT (xact) DO NOTHING;
  END IF;
  RETURN NULL;
END $$;

-- Append-only for every role, the owner included; the eraser may scrub a row's values once,
-- keeping the SHA-256 of what was there.
CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger
  LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND current_user = 'beccaria_eraser'
     AND (NEW.id, NEW.at, NEW.db_user, NEW.actor, NEW.table_name, NEW.action, NEW.row_key, NEW.participant_id, NEW.xact)
         IS NOT DISTINCT FROM (OLD.id, OLD.at, OLD.db_user, OLD.actor, OLD.table_name, OLD.action, OLD.row_key,
                               OLD.participant_id, OLD.xact)
     AND OLD.scrubbed_at IS NULL AND NEW.scrubbed_at IS NOT NULL
     AND NEW.content_sha256 = audit_content_sha256(OLD.old_values, OLD.new_values, OLD.reason) THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'the audit log is append-only (% refused)', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END $$;

-- The chain itself only grows; its head only moves forward.
CREATE FUNCTION audit_chain_guard() RETURNS trigger
  LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
  IF TG_TABLE_NAME = 'audit_chain_head' AND TG_OP = 'UPDATE' AND NEW.seq >= OLD.seq THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'the audit chain is append-only (% on % refused)', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_chain_append_only BEFORE UPDATE OR DELETE ON audit_chain FOR EACH ROW EXECUTE FUNCTION audit_chain_guard();
CREATE TRIGGER audit_chain_no_truncate BEFORE TRUNCATE ON audit_chain FOR EACH STATEMENT EXECUTE FUNCTION audit_chain_guard();
CREATE TRIGGER audit_chain_head_forward BEFORE UPDATE OR DELETE ON audit_chain_head FOR EACH ROW EXECUTE FUNCTION audit_chain_guard();
CREATE TRIGGER audit_chain_head_no_truncate BEFORE TRUNCATE ON audit_chain_head FOR EACH STATEMENT EXECUTE FUNCTION audit_chain_guard();

-- Who writes what now.
ALTER TABLE attendance ALTER COLUMN recorded_by SET DEFAULT coalesce(beccaria_actor(), session_user::text);
REVOKE INSERT, UPDATE ON attendance FROM beccaria_admin, beccaria_trainer;
GRANT INSERT (session_id, participant_id, status, ue_attended, correction_reason, note) ON attendance
  TO beccaria_admin, beccaria_trainer;
GRANT UPDATE (status, ue_attended, correction_reason, note) ON attendance TO beccaria_admin, beccaria_trainer;

-- A change of what was recorded is stamped with who changed it and when, by the database. A
-- correction after the session's day needs a reason of its own: the one given with it (the
-- column changed, or the transaction's `beccaria.reason`), never the last correction's reason
-- left in the row.
CREATE OR REPLACE FUNCTION attendance_correction_reason() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  given text;
BEGIN
  IF (NEW.status, NEW.ue_attended) IS DISTINCT FROM (OLD.status, OLD.ue_attended)
     AND (SELECT day FROM session WHERE id = NEW.session_id) < beccaria_today() THEN
    given := CASE WHEN NEW.correction_reason IS DISTINCT FROM OLD.correction_reason THEN NEW.correction_reason
                  ELSE current_setting('beccaria.reason', true) END;
    IF btrim(coalesce(given, '')) = '' THEN
      RAISE EXCEPTION 'correcting the attendance of participant % at session % after the session''s day needs a reason of its own',
        NEW.participant_id, NEW.session_id
        USING ERRCODE = 'check_violation', CONSTRAINT = 'attendance_correction_has_reason';
    END IF;
    NEW.correction_reason := given;
  END IF;
  IF (NEW.status, NEW.ue_attended, NEW.note, NEW.correction_reason)
     IS DISTINCT FROM (OLD.status, OLD.ue_attended, OLD.note, OLD.correction_reason) THEN
    NEW.recorded_by := coalesce(beccaria_actor(), session_user::text);
    NEW.recorded_at := now();
  ELSE
    NEW.recorded_by := OLD.recorded_by;
    NEW.recorded_at := OLD.recorded_at;
  END IF;
  RETURN NEW;
END $$;

REVOKE ALL ON audit_chain, audit_chain_head, audit_pending FROM beccaria_admin;
REVOKE ALL ON audit_pending FROM beccaria_auditor;
GRANT SELECT ON audit_chain_head TO beccaria_admin, beccaria_issuer;
GRANT SELECT ON audit_chain, audit_chain_head TO beccaria_auditor;
