-- The register of certificates cannot be confused, and its frozen rows change only through the
-- functions made for it.
--
-- * A privilege is a role, not a setting: the `beccaria.maintenance` setting that any login
--   could turn on is gone. Status changes (revoke, re-issue) and the serial counter belong to
--   the NOLOGIN role beccaria_registrar, which owns the functions that make them; the guard
--   triggers let a change through only when it runs as that role. Nobody is a member of it, so
--   no login — the schema owner's routine use included — edits, deletes or un-revokes a
--   certificate, or moves the counter, by hand.
-- * One row per PDF: the SHA-256 is unique, so a second row carrying a copied hash cannot
--   answer for the genuine file; a row's snapshot names its own serial and key.
-- * Identity values cannot be chosen by any login (column privileges leave identity columns out),
--   so no row is slipped in before another.
-- * Serials are taken through certificate_take_serials() only, and at commit every number taken
--   must be a stored certificate: a login cannot leave gaps or move the counter.
-- * Each status change is also an append-only event, which verification compares with the row:
--   an un-revocation by any route (even with the triggers disabled) is reported.
-- * The issuer ends finished cohorts through a function; it no longer writes the course table.

DO $$
DECLARE
  name text;
BEGIN
  FOREACH name IN ARRAY ARRAY['beccaria_registrar', 'beccaria_eraser'] LOOP
    -- Made once by a DBA (scripts/dba-roles.sql), or by another database of this cluster: then
    -- the owner needs no CREATEROLE.
    CONTINUE WHEN EXISTS (SELECT 1 FROM pg_roles WHERE rolname = name);
    BEGIN
      EXECUTE format('CREATE ROLE %I NOLOGIN', name);
    EXCEPTION WHEN duplicate_object OR unique_violation THEN
      NULL; -- made concurrently
    END;
  END LOOP;
END $$;

-- Hands a function to one of the NOLOGIN roles. ALTER FUNCTION ... OWNER needs membership in
-- the new owner and its CREATE on the schema; both are given for this call only. Grants made
-- before stay (their grantor becomes the new owner), except the old owner's own, which is given
-- back as the new owner: the schema owner may still call what it handed over.
CREATE FUNCTION beccaria_give_function(fn regprocedure, new_owner name) RETURNS void
  LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
  giver name := current_user;
BEGIN
  EXECUTE format('GRANT %I TO %I', new_owner, giver);
  EXECUTE format('GRANT CREATE ON SCHEMA public TO %I', new_owner);
  EXECUTE format('ALTER FUNCTION %s OWNER TO %I', fn, new_owner);
  EXECUTE format('REVOKE CREATE ON SCHEMA public FROM %I', new_owner);
  EXECUTE format('SET LOCAL ROLE %I', new_owner);
  EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO %I', fn, giver);
  EXECUTE format('SET LOCAL ROLE %I', giver);
  EXECUTE format('REVOKE %I FROM %I', new_owner, giver);
END $$;
REVOKE ALL ON FUNCTION beccaria_give_function(regprocedure, name) FROM PUBLIC;

-- One row per PDF, and a snapshot that names its own serial and key.
DROP INDEX certificate_sha256_idx;
CREATE UNIQUE INDEX certificate_sha256_unique ON certificate (pdf_sha256);
ALTER TABLE certificate
  ADD CONSTRAINT certificate_snapshot_matches CHECK (snapshot->>'serial' = serial AND snapshot->>'keyID' = key_id);

-- An erased holder's certificate keeps the SHA-256 of its signature, not the signature: with the
-- serial, modules and dates kept, the signature would let anyone with the public key test
-- guesses of the erased name and birth date one by one. The holder's own PDF or QR code still
-- proves genuine: its signature verifies and hashes to what was kept.
ALTER TABLE certificate
  ADD COLUMN signature_sha256 text CONSTRAINT certificate_signature_sha256_format CHECK (signature_sha256 ~ '^[0-9a-f]{64}$'),
  DROP CONSTRAINT certificate_signature_complete,
  ADD CONSTRAINT certificate_signature_kept
    CHECK (signature IS NOT NULL OR (holder_erased_at IS NOT NULL AND signature_sha256 IS NOT NULL)) NOT VALID;
-- Holders erased before this migration: their certificates lose the signature now (the guard
-- replaced below still honours the old maintenance switch, for this last time).
SET LOCAL beccaria.maintenance = 'on';
UPDATE certificate SET signature_sha256 = encode(sha256(convert_to(signature, 'UTF8')), 'hex'), signature = NULL
 WHERE holder_erased_at IS NOT NULL AND signature IS NOT NULL;
SET LOCAL beccaria.maintenance = 'off';
-- Certificates issued before signatures (schema 0005) have none: they stay, unsigned, and
-- verification says so; every other row is checked.
DO $$
BEGIN
  ALTER TABLE certificate VALIDATE CONSTRAINT certificate_signature_kept;
EXCEPTION WHEN check_violation THEN
  RAISE WARNING 'some stored certificates were issued before signatures and carry none; certificate verify reports them as unsigned';
END $$;

-- The stored PDF carries the row's own code: its Keywords name the serial and end with the
-- signature the row keeps, which is the QR payload's last part. Verification answers for a file
-- by its hash; without this, a re-issue could store any PDF (another holder's, say) under a new
-- claim, and that file would verify as the new certificate. (An erased holder's PDF is
-- replaced; its code is checked against the kept hash when presented.) The document information
-- is the last object of every certificate PDF (about 2 KB from the end), so only the last 8 KB
-- are searched, where verification reads the Keywords too: scanning all 40 KB twice cost the
-- nightly run a twentieth of its time. Legacy rows that do not satisfy it are left alone (NOT
-- VALID) with a warning; every new row is checked.
ALTER TABLE certificate ADD CONSTRAINT certificate_pdf_carries_code CHECK (
  holder_erased_at IS NOT NULL
  OR coalesce(right(snapshot->>'qrPayload', length(signature) + 1) = '.' || signature
              AND position(convert_to('/Keywords (' || serial || ' ', 'UTF8') IN substring(pdf FROM greatest(1, length(pdf) - 8191))) > 0
              AND position(convert_to('.' || signature || ')', 'UTF8') IN substring(pdf FROM greatest(1, length(pdf) - 8191))) > 0,
              false)) NOT VALID;
DO $$
BEGIN
  ALTER TABLE certificate VALIDATE CONSTRAINT certificate_pdf_carries_code;
EXCEPTION WHEN check_violation THEN
  RAISE WARNING 'some stored certificates do not carry their own code in their PDF; certificate verify reports those files as altered';
END $$;

-- Status history: one event per certificate at most (a status changes once, forward).
CREATE TABLE certificate_status_event (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  certificate_id bigint NOT NULL UNIQUE REFERENCES certificate (id),
  -- The holder, so that erasure finds the event's audit rows.
  participant_id bigint NOT NULL REFERENCES participant (id),
  status text NOT NULL CONSTRAINT certificate_status_event_known CHECK (status IN ('revoked', 'superseded')),
  at timestamptz NOT NULL DEFAULT now(),
  reason text NOT NULL CHECK (btrim(reason) <> ''),
  successor_id bigint REFERENCES certificate (id),
  db_user text NOT NULL DEFAULT session_user,
  CONSTRAINT certificate_status_event_successor CHECK ((status = 'superseded') = (successor_id IS NOT NULL))
);
-- Audited from the first row: the history of statuses changed before this migration included.
CREATE TRIGGER audit_insert AFTER INSERT ON certificate_status_event REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION audit_statement('id');
CREATE TRIGGER audit_update AFTER UPDATE ON certificate_status_event REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION audit_statement('id');
INSERT INTO certificate_status_event (certificate_id, participant_id, status, at, reason, successor_id, db_user)
SELECT c.id, c.participant_id, c.status, coalesce(c.revoked_at, c.superseded_at),
       CASE WHEN c.status = 'revoked' THEN c.revocation_reason
            ELSE coalesce((SELECT n.reissue_reason FROM certificate n WHERE n.id = c.superseded_by), 're-issued') END,
       c.superseded_by, 'migration 0015'
FROM certificate c WHERE c.status <> 'valid' ORDER BY c.id;

-- Append-only; erasure alone may blank a reason that names the holder.
CREATE FUNCTION certificate_status_event_guard() RETURNS trigger
  LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND current_user = 'beccaria_eraser'
     AND (NEW.id, NEW.certificate_id, NEW.participant_id, NEW.status, NEW.at, NEW.successor_id, NEW.db_user)
         IS NOT DISTINCT FROM (OLD.id, OLD.certificate_id, OLD.participant_id, OLD.status, OLD.at, OLD.successor_id, OLD.db_user) THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'the status history of certificates is append-only (% refused)', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER certificate_status_event_append_only BEFORE UPDATE OR DELETE ON certificate_status_event
  FOR EACH ROW EXECUTE FUNCTION certificate_status_event_guard();

-- Frozen content, status changes only as the registrar (revoke, re-issue) and erasure only as
-- the eraser (PDF, printed fields and reasons of an erased holder, once).
CREATE OR REPLACE FUNCTION certificate_guard() RETURNS trigger
  LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
  status_changes boolean;
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'certificates are never deleted; revoke % instead', OLD.serial
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF (NEW.id, NEW.serial, NEW.kind, NEW.participant_id, NEW.programme_id, NEW.programme_version_id, NEW.module_number,
      NEW.course_id, NEW.completed_on, NEW.issued_at, NEW.run_id, NEW.pdf_sha256, NEW.key_id, NEW.supersedes)
     IS DISTINCT FROM
     (OLD.id, OLD.serial, OLD.kind, OLD.participant_id, OLD.programme_id, OLD.programme_version_id, OLD.module_number,
      OLD.course_id, OLD.completed_on, OLD.issued_at, OLD.run_id, OLD.pdf_sha256, OLD.key_id, OLD.supersedes)
     OR (NEW.signature IS DISTINCT FROM OLD.signature
         AND NOT (NEW.signature IS NULL AND NEW.signature_sha256 = encode(sha256(convert_to(OLD.signature, 'UTF8')), 'hex')))
     OR (NEW.signature_sha256 IS DISTINCT FROM OLD.signature_sha256 AND NEW.signature IS NOT NULL) THEN
    RAISE EXCEPTION 'certificate % is frozen: its issued content cannot change', OLD.serial
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  status_changes := (NEW.status, NEW.revoked_at, NEW.superseded_by, NEW.superseded_at)
                    IS DISTINCT FROM (OLD.status, OLD.revoked_at, OLD.superseded_by, OLD.superseded_at);
  IF status_changes THEN
    IF current_user <> 'beccaria_registrar' THEN
      RAISE EXCEPTION 'the status of certificate % changes only through certificate revoke or reissue', OLD.serial
        USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF OLD.status <> 'valid' THEN
      RAISE EXCEPTION 'certificate % is already %', OLD.serial, OLD.status
        USING ERRCODE = 'check_violation', CONSTRAINT = 'certificate_status_forward';
    END IF;
  END IF;
  -- A revocation writes its reason with the status; otherwise printed content and reasons
  -- change once, when the holder is erased.
  IF ((NEW.pdf, NEW.snapshot, NEW.holder_erased_at, NEW.reissue_reason, NEW.signature, NEW.signature_sha256)
        IS DISTINCT FROM (OLD.pdf, OLD.snapshot, OLD.holder_erased_at, OLD.reissue_reason, OLD.signature, OLD.signature_sha256)
      OR (NEW.revocation_reason IS DISTINCT FROM OLD.revocation_reason AND NOT status_changes))
     AND NOT (current_user = 'beccaria_eraser' AND OLD.holder_erased_at IS NULL AND NEW.holder_erased_at IS NOT NULL
              AND NOT status_changes) THEN
    RAISE EXCEPTION 'certificate % is frozen: its printed content changes only when its holder is erased on request', OLD.serial
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END $$;

-- TRUNCATE skips row triggers: it is refused outright on every table whose rows are history.
CREATE FUNCTION beccaria_refuse_truncate() RETURNS trigger
  LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
  RAISE EXCEPTION 'the table % is history and is never truncated', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER certificate_no_truncate BEFORE TRUNCATE ON certificate
  FOR EACH STATEMENT EXECUTE FUNCTION beccaria_refuse_truncate();

-- The serial counter moves only through certificate_take_serials(), forward.
CREATE FUNCTION certificate_serial_counter_guard() RETURNS trigger
  LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
  IF TG_OP = 'DELETE' OR current_user <> 'beccaria_registrar'
     OR (TG_OP = 'UPDATE' AND (NEW.year <> OLD.year OR NEW.last_number < OLD.last_number)) THEN
    RAISE EXCEPTION 'the serial counter moves only forward, through certificate_take_serials() (% refused)', TG_OP
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER certificate_serial_counter_guard BEFORE INSERT OR UPDATE OR DELETE ON certificate_serial_counter
  FOR EACH ROW EXECUTE FUNCTION certificate_serial_counter_guard();

-- At commit, every number taken in the transaction is a stored certificate (gapless serials):
-- numbers taken and not used are refused, not lost.
CREATE FUNCTION certificate_serials_used() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  taken_after integer := CASE WHEN TG_OP = 'UPDATE' THEN OLD.last_number ELSE 0 END;
  used integer;
BEGIN
  SELECT count(*) INTO used FROM certificate
   WHERE serial > 'BQ-' || lpad(NEW.year::text, 4, '0') || '-' || lpad(taken_after::text, 6, '0')
     AND serial <= 'BQ-' || lpad(NEW.year::text, 4, '0') || '-' || lpad(NEW.last_number::text, 6, '0');
  IF used <> NEW.last_number - taken_after THEN
    RAISE EXCEPTION 'serial numbers % to % of % were taken but only % of them belong to a certificate; serials stay gapless',
      taken_after + 1, NEW.last_number, NEW.year, used
      USING ERRCODE = 'check_violation', CONSTRAINT = 'certificate_serials_gapless';
  END IF;
  RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER certificate_serials_gapless AFTER INSERT OR UPDATE ON certificate_serial_counter
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION certificate_serials_used();

-- `count` consecutive numbers of the German year; returns the first. The counter row stays
-- locked until the transaction ends, which keeps serials gapless: a rollback gives them back.
CREATE FUNCTION certificate_take_serials(count integer) RETURNS integer
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  this_year integer := extract(year FROM beccaria_today())::integer;
  last integer;
BEGIN
  IF count IS NULL OR count NOT BETWEEN 1 AND 10000 THEN
    RAISE EXCEPTION 'between 1 and 10000 serial numbers are taken at a time, not %', count
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  INSERT INTO certificate_serial_counter AS c (year, last_number) VALUES (this_year, count)
  ON CONFLICT (year) DO UPDATE SET last_number = c.last_number + count
  RETURNING c.last_number INTO last;
  RETURN last - count + 1;
END $$;

-- Revocation: the office's decision, with a reason; recorded as an event.
CREATE FUNCTION certificate_revoke(certificate_serial text, reason text) RETURNS timestamptz
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  found_row record;
BEGIN
  IF btrim(coalesce(reason, '')) = '' THEN
    RAISE EXCEPTION 'a revocation needs a reason' USING ERRCODE = 'check_violation', CONSTRAINT = 'certificate_revocation_complete';
  END IF;
  SELECT c.id, c.participant_id, c.status, s.serial AS successor, e.status AS recorded, e.at AS recorded_at,
         e.reason AS recorded_reason INTO found_row
    FROM certificate c LEFT JOIN certificate s ON s.id = c.superseded_by
    LEFT JOIN certificate_status_event e ON e.certificate_id = c.id
   WHERE c.serial = certificate_serial FOR UPDATE OF c;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'certificate % does not exist', certificate_serial USING ERRCODE = 'no_data_found';
  ELSIF found_row.recorded = 'revoked' AND found_row.status = 'valid' THEN
    -- The row was set back to valid behind the guards; its recorded revocation is put back.
    PERFORM set_config('beccaria.reason', 'restored the recorded revocation: ' || found_row.recorded_reason, true);
    UPDATE certificate SET status = 'revoked', revoked_at = found_row.recorded_at, revocation_reason = found_row.recorded_reason
     WHERE id = found_row.id;
    RETURN found_row.recorded_at;
  ELSIF found_row.status = 'superseded' THEN
    RAISE EXCEPTION 'certificate % was replaced by %; revoke the current certificate instead', certificate_serial, found_row.successor
      USING ERRCODE = 'check_violation', CONSTRAINT = 'certificate_status_forward';
  ELSIF found_row.status <> 'valid' THEN
    RAISE EXCEPTION 'certificate % is already %', certificate_serial, found_row.status
      USING ERRCODE = 'check_violation', CONSTRAINT = 'certificate_status_forward';
  END IF;
  PERFORM set_config('beccaria.reason', reason, true);
  UPDATE certificate SET status = 'revoked', revoked_at = now(), revocation_reason = reason WHERE id = found_row.id;
  INSERT INTO certificate_status_event (certificate_id, participant_id, status, reason)
  VALUES (found_row.id, found_row.participant_id, 'revoked', reason);
  RETURN now();
END $$;

-- Re-issue: stores the replacement (rendered and signed by the caller with a serial taken from
-- certificate_take_serials in the same transaction) and marks the old one superseded by it.
CREATE FUNCTION certificate_reissue(
  certificate_serial text, new_serial text, pdf bytea, pdf_sha256 text, snapshot jsonb, key_id text, signature text,
  reason text) RETURNS bigint
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  old certificate%ROWTYPE;
  holder record;
  new_id bigint;
BEGIN
  IF btrim(coalesce(reason, '')) = '' THEN
    RAISE EXCEPTION 'a re-issue needs a reason' USING ERRCODE = 'check_violation', CONSTRAINT = 'certificate_reissue_has_reason';
  END IF;
  SELECT * INTO old FROM certificate c WHERE c.serial = certificate_serial FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'certificate % does not exist', certificate_serial USING ERRCODE = 'no_data_found';
  ELSIF old.status <> 'valid' THEN
    RAISE EXCEPTION 'certificate % is already %; only a valid certificate is re-issued', certificate_serial, old.status
      USING ERRCODE = 'check_violation', CONSTRAINT = 'certificate_status_forward';
  ELSIF old.holder_erased_at IS NOT NULL THEN
    RAISE EXCEPTION 'the holder of % was erased on request; their certificate cannot be re-issued', certificate_serial
      USING ERRCODE = 'check_violation', CONSTRAINT = 'certificate_holder_erased';
  ELSIF encode(sha256(certificate_reissue.pdf), 'hex') IS DISTINCT FROM certificate_reissue.pdf_sha256 THEN
    RAISE EXCEPTION 'the PDF of % does not match the SHA-256 given for it', new_serial
      USING ERRCODE = 'check_violation', CONSTRAINT = 'certificate_sha256_matches';
  END IF;
  -- A replacement certifies what the old one did, for the holder as the register knows them
  -- today: only its serial, name, birth date, day of issue, key, address and code may differ.
  SELECT p.given_names || ' ' || p.family_name AS name, to_char(p.birth_date, 'YYYY-MM-DD') AS born INTO holder
    FROM participant p WHERE p.id = old.participant_id;
  IF (certificate_reissue.snapshot - ARRAY['serial', 'holderName', 'birthDate', 'issuedOn', 'keyID', 'verificationURL', 'qrPayload'])
     IS DISTINCT FROM (old.snapshot - ARRAY['serial', 'holderName', 'birthDate', 'issuedOn', 'keyID', 'verificationURL', 'qrPayload'])
     OR certificate_reissue.snapshot->>'holderName' IS DISTINCT FROM holder.name
     OR certificate_reissue.snapshot->>'birthDate' IS DISTINCT FROM holder.born
     OR certificate_reissue.snapshot->>'issuedOn' IS DISTINCT FROM to_char(beccaria_today(), 'YYYY-MM-DD') THEN
    RAISE EXCEPTION 'the replacement of % must certify what it did, for its holder as registered today', certificate_serial
      USING ERRCODE = 'check_violation', CONSTRAINT = 'certificate_reissue_same_content';
  END IF;
  new_id := nextval(pg_get_serial_sequence('public.certificate', 'id'));
  PERFORM set_config('beccaria.reason', reason, true);
  -- The old row first (its successor is checked at commit): the one-valid index allows one.
  UPDATE certificate SET status = 'superseded', superseded_by = new_id, superseded_at = now() WHERE id = old.id;
  INSERT INTO certificate (id, serial, kind, participant_id, programme_id, programme_version_id, module_number, course_id,
                           completed_on, pdf, pdf_sha256, snapshot, key_id, signature, supersedes, reissue_reason)
  OVERRIDING SYSTEM VALUE
  VALUES (new_id, new_serial, old.kind, old.participant_id, old.programme_id, old.programme_version_id, old.module_number,
          old.course_id, old.completed_on, certificate_reissue.pdf, certificate_reissue.pdf_sha256,
          certificate_reissue.snapshot, certificate_reissue.key_id, certificate_reissue.signature, old.id, reason);
  INSERT INTO certificate_status_event (certificate_id, participant_id, status, reason, successor_id)
  VALUES (old.id, old.participant_id, 'superseded', reason, new_id);
  RETURN new_id;
END $$;

-- A key's registration and retirement times are the database's: a retirement dated in the past
-- would make everything the key signed since look forged.
CREATE OR REPLACE FUNCTION signing_key_guard() RETURNS trigger
  LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    NEW.created_at := now();
    NEW.retired_at := NULL;
    RETURN NEW;
  END IF;
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'signing key % is never deleted; retire it instead', OLD.key_id
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF (NEW.key_id, NEW.algorithm, NEW.public_key, NEW.created_at, NEW.created_by) IS DISTINCT FROM
     (OLD.key_id, OLD.algorithm, OLD.public_key, OLD.created_at, OLD.created_by)
     OR (OLD.retired_at IS NOT NULL AND NEW.retired_at IS DISTINCT FROM OLD.retired_at) THEN
    RAISE EXCEPTION 'signing key % cannot change; only a key in use can retire', OLD.key_id
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF OLD.retired_at IS NULL AND NEW.retired_at IS NOT NULL THEN
    NEW.retired_at := now();
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER signing_key_registered BEFORE INSERT ON signing_key FOR EACH ROW EXECUTE FUNCTION signing_key_guard();

-- What a run recorded about itself does not move: an export folder changed afterwards would send
-- erasure to the wrong files.
CREATE FUNCTION certificate_run_guard() RETURNS trigger
  LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
  IF TG_OP = 'DELETE' OR (NEW.id, NEW.started_at, NEW.host, NEW.pid, NEW.workers, NEW.export_directory, NEW.liveness_key,
                          NEW.backend_pid)
     IS DISTINCT FROM (OLD.id, OLD.started_at, OLD.host, OLD.pid, OLD.workers, OLD.export_directory, OLD.liveness_key,
                       OLD.backend_pid) THEN
    RAISE EXCEPTION 'run % keeps what it recorded about itself (% refused)', OLD.id, TG_OP USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END $$;

-- A programme version is what cohorts and certificates were made by: a change is a new version
-- (programme load), never an edit of a stored one. Its modules are written with it, in the
-- transaction that stores the version (programme load uses no savepoints); a module added to a
-- version stored earlier would let sessions be planned for a module the programme never had.
CREATE FUNCTION programme_version_guard() RETURNS trigger
  LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF (SELECT v.xmin FROM programme_version v WHERE v.id = NEW.programme_version_id) IS DISTINCT FROM pg_current_xact_id()::xid THEN
      RAISE EXCEPTION 'programme version % is stored already: a module joins a version only when the version is loaded (programme load)',
        NEW.programme_version_id USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'a stored programme version does not change (% on % refused); load the changed definition as a new version',
    TG_OP, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER programme_version_frozen BEFORE UPDATE OR DELETE ON programme_version
  FOR EACH ROW EXECUTE FUNCTION programme_version_guard();
CREATE TRIGGER programme_module_frozen BEFORE INSERT OR UPDATE OR DELETE ON programme_module
  FOR EACH ROW EXECUTE FUNCTION programme_version_guard();
CREATE TRIGGER programme_frozen BEFORE UPDATE OR DELETE ON programme
  FOR EACH ROW EXECUTE FUNCTION programme_version_guard();

-- Whether a cohort is over: past its last day when it has one; otherwise when every module of
-- its programme has sessions and the last of them is past (a cohort whose later modules are not
-- planned yet, or whose last planned session was cancelled, runs on).
CREATE FUNCTION course_over(course bigint) RETURNS boolean
  LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
  SELECT CASE WHEN c.ends_on IS NOT NULL THEN c.ends_on < beccaria_today()
              ELSE coalesce((SELECT max(s.day) FROM session s WHERE s.course_id = c.id) < beccaria_today(), false)
                   AND NOT EXISTS (SELECT 1 FROM programme_module m
                                    WHERE m.programme_version_id = c.programme_version_id
                                      AND NOT EXISTS (SELECT 1 FROM session s WHERE s.course_id = c.id AND s.module_number = m.number))
         END
  FROM course c WHERE c.id = course
$$;
GRANT EXECUTE ON FUNCTION course_over(bigint) TO beccaria_admin, beccaria_trainer, beccaria_issuer, beccaria_auditor;

-- Cohorts that are over are ended, and their participants marked due (the nightly run calls
-- this; it writes no course row itself).
CREATE FUNCTION course_end_finished() RETURNS integer
  LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
  WITH ended AS (
    UPDATE course c SET status = 'ended'
    WHERE c.status IN ('open', 'running') AND course_over(c.id)
    RETURNING c.id, c.programme_version_id
  ), marked AS (
    INSERT INTO certificate_due (participant_id, programme_id)
    SELECT DISTINCT e.participant_id, v.programme_id
    FROM ended JOIN enrolment e ON e.course_id = ended.id AND e.enrolled_at IS NOT NULL
    JOIN programme_version v ON v.id = ended.programme_version_id
    ON CONFLICT (participant_id, programme_id) DO NOTHING
  )
  SELECT count(*)::integer FROM ended
$$;

-- The registrar may do exactly what its functions do.
GRANT SELECT, INSERT, UPDATE ON certificate TO beccaria_registrar;
GRANT USAGE ON SEQUENCE certificate_id_seq TO beccaria_registrar;
GRANT SELECT, INSERT, UPDATE ON certificate_serial_counter TO beccaria_registrar;
GRANT SELECT, INSERT ON certificate_status_event TO beccaria_registrar;
GRANT SELECT ON signing_key TO beccaria_registrar;
GRANT SELECT (id, given_names, family_name, birth_date) ON participant TO beccaria_registrar;
CREATE POLICY registrar ON participant FOR SELECT TO beccaria_registrar USING (true);
GRANT EXECUTE ON FUNCTION beccaria_today() TO beccaria_registrar;
-- Their EXECUTE, granted while the schema owner still owns them (a grant stays with a change of
-- owner; afterwards only the new owner could grant it).
GRANT EXECUTE ON FUNCTION certificate_take_serials(integer) TO beccaria_issuer, beccaria_admin;
GRANT EXECUTE ON FUNCTION certificate_revoke(text, text) TO beccaria_admin;
GRANT EXECUTE ON FUNCTION certificate_reissue(text, text, bytea, text, jsonb, text, text, text) TO beccaria_admin;
SELECT beccaria_give_function('certificate_take_serials(integer)', 'beccaria_registrar');
SELECT beccaria_give_function('certificate_revoke(text, text)', 'beccaria_registrar');
SELECT beccaria_give_function('certificate_reissue(text, text, bytea, text, jsonb, text, text, text)', 'beccaria_registrar');
GRANT EXECUTE ON FUNCTION course_end_finished() TO beccaria_issuer, beccaria_admin;

-- Nobody writes the register directly but the nightly run, and it only adds rows, with the
-- columns of an issue (no id, no status, no links).
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON certificate, certificate_serial_counter FROM beccaria_admin, beccaria_issuer;
GRANT INSERT (serial, kind, participant_id, programme_id, programme_version_id, module_number, course_id, completed_on, run_id,
              pdf, pdf_sha256, snapshot, key_id, signature) ON certificate TO beccaria_issuer;
REVOKE UPDATE (status) ON course FROM beccaria_issuer;
-- Of a participant, the run needs what a certificate prints: not e-mail, organisation or notes.
REVOKE SELECT ON participant FROM beccaria_issuer;
GRANT SELECT (id, family_name, given_names, birth_date, erased_at) ON participant TO beccaria_issuer;
REVOKE ALL ON certificate_status_event FROM beccaria_admin;
GRANT SELECT ON certificate_status_event TO beccaria_admin, beccaria_issuer, beccaria_auditor;
-- Nor the free text others wrote about people (why an enrolment ended — often health —,
-- attendance notes and corrections, assessment notes, revocation and re-issue reasons) or who
-- wrote it: eligibility needs statuses, numbers and dates. Columns added later are not granted.
DO $$
DECLARE
  t record;
BEGIN
  FOR t IN
    SELECT * FROM (VALUES ('enrolment', ARRAY['end_reason']),
                          ('attendance', ARRAY['note', 'correction_reason', 'recorded_by']),
                          ('assessment', ARRAY['title', 'note']),
                          ('certificate', ARRAY['revocation_reason', 'reissue_reason']),
                          ('certificate_status_event', ARRAY['reason', 'db_user'])) v(name, hidden)
  LOOP
    EXECUTE format('REVOKE SELECT ON %I FROM beccaria_issuer', t.name);
    EXECUTE format('GRANT SELECT (%s) ON %I TO beccaria_issuer',
                   (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) FROM pg_attribute a
                     WHERE a.attrelid = t.name::regclass AND a.attnum > 0 AND NOT a.attisdropped
                       AND a.attname <> ALL (t.hidden)), t.name);
  END LOOP;
END $$;

DO $$
DECLARE
  t regclass;
BEGIN
  FOREACH t IN ARRAY ARRAY['certificate_serial_counter', 'certificate_status_event', 'signing_key',
                           'participant', 'participant_name_change', 'enrolment', 'enrolment_module', 'attendance',
                           'assessment', 'session', 'session_trainer', 'course', 'trainer', 'programme',
                           'programme_version', 'programme_module', 'municipality']::regclass[] LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = t AND tgname = 'no_truncate') THEN
      EXECUTE format('CREATE TRIGGER no_truncate BEFORE TRUNCATE ON %s FOR EACH STATEMENT EXECUTE FUNCTION beccaria_refuse_truncate()', t);
    END IF;
  END LOOP;
END $$;

-- The nightly run's liveness: a random advisory lock key taken before its row is written, and
-- the server process holding it. A run is alive while that very process holds that key, which
-- no other session can fake (pg_locks names the holder).
ALTER TABLE certificate_run
  ADD COLUMN liveness_key bigint,
  ADD COLUMN backend_pid integer DEFAULT pg_backend_pid();
CREATE TRIGGER certificate_run_recorded BEFORE UPDATE OR DELETE ON certificate_run
  FOR EACH ROW EXECUTE FUNCTION certificate_run_guard();

-- Identity values are the database's: no login may name them on INSERT (OVERRIDING SYSTEM
-- VALUE) or renumber them on UPDATE (SET id = DEFAULT). Column privileges leave identity
-- columns out for every group role that writes the table.
DO $$
DECLARE
  t record;
  grantee text;
  privilege text;
  columns text;
BEGIN
  FOR t IN
    SELECT c.oid::regclass AS relation, c.oid FROM pg_class c
    WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
      AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attidentity <> '' AND NOT a.attisdropped)
  LOOP
    SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) INTO columns
      FROM pg_attribute a WHERE a.attrelid = t.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attidentity = '';
    FOREACH grantee IN ARRAY ARRAY['beccaria_admin', 'beccaria_trainer', 'beccaria_issuer', 'beccaria_auditor'] LOOP
      FOREACH privilege IN ARRAY ARRAY['INSERT', 'UPDATE'] LOOP
        IF has_table_privilege(grantee, t.relation, privilege) THEN
          EXECUTE format('REVOKE %s ON %s FROM %I', privilege, t.relation, grantee);
          EXECUTE format('GRANT %s (%s) ON %s TO %I', privilege, columns, t.relation, grantee);
        END IF;
      END LOOP;
    END LOOP;
  END LOOP;
END $$;

