-- The office's week (issue 21): what trainers may see and do in their own cohorts, and the
-- sign-in sheet's row numbers.
--
-- * A trainer reads the whole schedule and attendance of the cohorts they teach (not only their
--   own sessions): a module's share of attendance, which `attendance report` and `report
--   at-risk` show, is taken over all its sessions, whoever teaches them. They still record
--   attendance only at their own sessions (own_sessions_insert/update of 0014 stay).
-- * module_attendance runs as the reader (security_invoker), so that those row-level policies
--   apply to it; before, it ran as its owner and was granted to the office and the nightly run
--   only.
-- * Trainers may stage an attendance file in a temporary table (their import checks every row
--   against the same policies; 0014 took TEMPORARY from PUBLIC).
-- * A printed sign-in sheet keeps its rows: export_file gets the session and each person's row,
--   so that `attendance record --row N` finds whom row N of the latest printed sheet names.

CREATE POLICY cohort_sessions ON session FOR SELECT TO beccaria_trainer USING (beccaria_teaches_course(course_id));
CREATE POLICY cohort_sessions ON session_trainer FOR SELECT TO beccaria_trainer
  USING (EXISTS (SELECT 1 FROM session s WHERE s.id = session_id));
CREATE POLICY cohort_attendance ON attendance FOR SELECT TO beccaria_trainer
  USING (EXISTS (SELECT 1 FROM session s WHERE s.id = session_id));

ALTER VIEW module_attendance SET (security_invoker = true);
GRANT SELECT ON module_attendance TO beccaria_trainer;

DO $$
BEGIN
  EXECUTE format('GRANT TEMPORARY ON DATABASE %I TO beccaria_trainer', current_database());
END $$;

-- Whether a session number exists at all, for a refusal that can say "not one of your sessions"
-- rather than "does not exist" (it tells a trainer no more than that the number is taken).
CREATE FUNCTION beccaria_session_exists(session_id bigint) RETURNS boolean
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT EXISTS (SELECT 1 FROM session WHERE id = $1)
$$;
REVOKE ALL ON FUNCTION beccaria_session_exists(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION beccaria_session_exists(bigint) TO beccaria_admin, beccaria_trainer;

ALTER TABLE export_file ADD COLUMN session_id bigint, ADD COLUMN sheet_row integer;
-- Only a sheet has a session and rows (sheets recorded before this migration have neither).
ALTER TABLE export_file ADD CONSTRAINT export_file_sheet_row
  CHECK ((kind = 'sheet' OR session_id IS NULL) AND (session_id IS NULL) = (sheet_row IS NULL) AND sheet_row > 0);
CREATE INDEX export_file_sheet_idx ON export_file (session_id, written_at) WHERE kind = 'sheet';

-- Records a printed sheet naming `people` in row order (row 1 first). Replaces the 0017 form,
-- which recorded the people but not their rows.
CREATE FUNCTION export_file_record_sheet(session_id bigint, host text, path text, sha256 text, people bigint[])
  RETURNS integer
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  -- Each sheet by the moment it was registered (two in one transaction are two sheets).
  registered timestamptz := clock_timestamp();
BEGIN
  IF NOT (pg_has_role(session_user, 'beccaria_admin', 'MEMBER') OR beccaria_teaches_session(export_file_record_sheet.session_id)) THEN
    RAISE EXCEPTION 'session % is not one of your sessions', export_file_record_sheet.session_id
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  -- The rows must be the session's roster as it is, in the order the sheet prints it (family
  -- name, given names, number): whoever registers a sheet cannot decide whom a row number names.
  IF people IS DISTINCT FROM (
       SELECT coalesce(array_agg(p.id ORDER BY p.family_name COLLATE german, p.given_names COLLATE german, p.id), '{}')
         FROM participant p
        WHERE p.id IN (SELECT e.participant_id FROM session s JOIN enrolment e ON e.course_id = s.course_id
                        WHERE s.id = export_file_record_sheet.session_id AND e.enrolled_at IS NOT NULL
                          AND (e.status = 'enrolled' OR enrolment_covers_day(e.ended_at, s.day))
                          AND (e.scope = 'programme' OR EXISTS (SELECT 1 FROM enrolment_module em
                                                                 WHERE em.enrolment_id = e.id
                                                                   AND em.module_number = s.module_number)))) THEN
    RAISE EXCEPTION 'the sheet does not list the roster of session % as it is now; print it again', export_file_record_sheet.session_id
      USING ERRCODE = 'check_violation';
  END IF;
  INSERT INTO export_file (participant_id, kind, host, path, sha256, session_id, sheet_row, written_at)
  SELECT person, 'sheet', host, path, export_file_record_sheet.sha256, export_file_record_sheet.session_id, row_number,
         registered
    FROM unnest(people) WITH ORDINALITY AS t(person, row_number);
  RETURN cardinality(people);
END $$;
REVOKE ALL ON FUNCTION export_file_record_sheet(bigint, text, text, text, bigint[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION export_file_record_sheet(bigint, text, text, text, bigint[]) TO beccaria_admin, beccaria_trainer;
REVOKE EXECUTE ON FUNCTION export_file_record_sheet(bigint, text, text, text) FROM beccaria_admin, beccaria_trainer;

-- Whom row `sheet_row` of the latest sheet printed for `session_id` names; NULL when no sheet was
-- printed or it has fewer rows. Raises for a session that is not the caller's.
CREATE FUNCTION attendance_sheet_row(session_id bigint, sheet_row integer)
  RETURNS TABLE (participant_id bigint, rows integer, printed_at timestamptz)
  LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  IF NOT (pg_has_role(session_user, 'beccaria_admin', 'MEMBER') OR beccaria_teaches_session(attendance_sheet_row.session_id)) THEN
    RAISE EXCEPTION 'session % is not one of your sessions', attendance_sheet_row.session_id
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN QUERY
    WITH latest AS (
      SELECT f.written_at, f.path FROM export_file f
       WHERE f.kind = 'sheet' AND f.session_id = attendance_sheet_row.session_id
       ORDER BY f.written_at DESC, f.id DESC LIMIT 1)
    SELECT (SELECT f.participant_id FROM export_file f, latest l
             WHERE f.kind = 'sheet' AND f.session_id = attendance_sheet_row.session_id AND f.written_at = l.written_at
               AND f.path = l.path AND f.sheet_row = attendance_sheet_row.sheet_row
             ORDER BY f.id DESC LIMIT 1),
           (SELECT count(*)::integer FROM export_file f, latest l
             WHERE f.kind = 'sheet' AND f.session_id = attendance_sheet_row.session_id AND f.written_at = l.written_at
               AND f.path = l.path),
           l.written_at
      FROM latest l;
END $$;
REVOKE ALL ON FUNCTION attendance_sheet_row(bigint, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION attendance_sheet_row(bigint, integer) TO beccaria_admin, beccaria_trainer;

-- The early warning leaves erased people out; a trainer's roster columns include whether one was.
GRANT SELECT (erased_at) ON participant TO beccaria_trainer;

-- Attendance lists name people by number or e-mail. A trainer may not read e-mail addresses, so
-- the import looks them up here: among the people on the rosters the caller teaches (everyone,
-- for the office). Erased people have no address.
CREATE FUNCTION participant_ids_by_email(addresses text[])
  RETURNS TABLE (address text, id bigint, matches bigint)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT lower(p.email), min(p.id), count(*) FROM participant p
   WHERE p.erased_at IS NULL AND lower(p.email) = ANY (addresses)
     AND (pg_has_role(session_user, 'beccaria_admin', 'MEMBER') OR beccaria_teaches_participant(p.id))
   GROUP BY lower(p.email)
$$;
REVOKE ALL ON FUNCTION participant_ids_by_email(text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION participant_ids_by_email(text[]) TO beccaria_admin, beccaria_trainer;

-- The import's check "not one of your sessions" runs for the office's logins too (and is true for
-- none of them: they teach nothing).
GRANT EXECUTE ON FUNCTION beccaria_teaches_session(bigint) TO beccaria_admin;

-- A Zertifikat prints the title of the project work it rests on (the first passed one). The
-- nightly run reads no free text written about people (0015 hid assessment titles from it);
-- this gives it exactly the titles a Zertifikat prints, and nothing else of the table.
CREATE FUNCTION certificate_project_titles(people bigint[])
  RETURNS TABLE (participant_id bigint, programme_id bigint, title text)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT DISTINCT ON (a.participant_id, a.programme_id) a.participant_id, a.programme_id, a.title
    FROM assessment a
   WHERE a.participant_id = ANY (people) AND a.kind = 'project' AND a.result = 'passed'
     AND nullif(btrim(a.title), '') IS NOT NULL
   ORDER BY a.participant_id, a.programme_id, a.assessed_on, a.id
$$;
REVOKE ALL ON FUNCTION certificate_project_titles(bigint[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION certificate_project_titles(bigint[]) TO beccaria_issuer, beccaria_admin, beccaria_auditor;

-- A re-issued certificate says which one it replaces (its snapshot's `replaces`: the old serial
-- and day of issue, as printed). certificate_reissue allows that field, and only with exactly
-- those values. The function belongs to beccaria_registrar (0015); the migrating owner replaces
-- it as a member for the moment (as beccaria_give_function does) and keeps no membership.
DO $$
BEGIN
  EXECUTE format('GRANT beccaria_registrar TO %I', current_user);
END $$;
CREATE OR REPLACE FUNCTION certificate_reissue(
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
  -- today: only its serial, name, birth date, day of issue, key, address, code and the note of
  -- what it replaces may differ.
  SELECT p.given_names || ' ' || p.family_name AS name, to_char(p.birth_date, 'YYYY-MM-DD') AS born INTO holder
    FROM participant p WHERE p.id = old.participant_id;
  IF (certificate_reissue.snapshot - ARRAY['serial', 'holderName', 'birthDate', 'issuedOn', 'keyID', 'verificationURL', 'qrPayload', 'replaces'])
     IS DISTINCT FROM (old.snapshot - ARRAY['serial', 'holderName', 'birthDate', 'issuedOn', 'keyID', 'verificationURL', 'qrPayload', 'replaces'])
     -- It names what it replaces, as printed: the old serial and the old day of issue.
     OR (certificate_reissue.snapshot ? 'replaces'
         AND certificate_reissue.snapshot->'replaces' IS DISTINCT FROM
             jsonb_build_object('serial', old.serial, 'issuedOn', old.snapshot->>'issuedOn'))
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
DO $$
BEGIN
  EXECUTE format('REVOKE beccaria_registrar FROM %I', current_user);
END $$;

-- Mail still to be sent follows what it is about:
-- * a changed address: queued and deferred messages to the old address go to the new one (a
--   removed or unmailable one cancels them); office copies, to the office's address, stay;
-- * a certificate revoked or replaced before its message went out: the message is cancelled
--   (the replacement has its own).
CREATE FUNCTION mail_follow_address() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  IF NEW.email IS NOT NULL AND beccaria_mail_address_ok(NEW.email) THEN
    UPDATE mail_message m SET recipient = NEW.email
     WHERE m.status IN ('queued', 'deferred') AND lower(m.recipient) = lower(OLD.email)
       AND CASE TG_TABLE_NAME WHEN 'participant' THEN m.participant_id = NEW.id ELSE m.trainer_id = NEW.id END;
  ELSE
    UPDATE mail_message m SET status = 'cancelled', finished_at = clock_timestamp(),
           last_reply = 'the address was removed before the message was sent'
     WHERE m.status IN ('queued', 'deferred') AND lower(m.recipient) = lower(OLD.email)
       AND CASE TG_TABLE_NAME WHEN 'participant' THEN m.participant_id = NEW.id ELSE m.trainer_id = NEW.id END;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER mail_follows_address AFTER UPDATE OF email ON participant
  FOR EACH ROW WHEN (OLD.email IS DISTINCT FROM NEW.email) EXECUTE FUNCTION mail_follow_address();
CREATE TRIGGER mail_follows_address AFTER UPDATE OF email ON trainer
  FOR EACH ROW WHEN (OLD.email IS DISTINCT FROM NEW.email) EXECUTE FUNCTION mail_follow_address();

CREATE FUNCTION mail_certificate_withdrawn() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  UPDATE mail_message m SET status = 'cancelled', finished_at = clock_timestamp(),
         last_reply = 'the certificate was ' || NEW.status || ' before the message was sent'
   WHERE m.certificate_id = NEW.id AND m.status IN ('queued', 'deferred');
  RETURN NULL;
END $$;
CREATE TRIGGER mail_certificate_withdrawn AFTER UPDATE OF status ON certificate
  FOR EACH ROW WHEN (OLD.status = 'valid' AND NEW.status IN ('revoked', 'superseded'))
  EXECUTE FUNCTION mail_certificate_withdrawn();
