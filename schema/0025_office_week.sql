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
BEGIN
  IF NOT (pg_has_role(session_user, 'beccaria_admin', 'MEMBER') OR beccaria_teaches_session(export_file_record_sheet.session_id)) THEN
    RAISE EXCEPTION 'session % is not one of your sessions', export_file_record_sheet.session_id
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF EXISTS (SELECT 1 FROM unnest(people) person
              WHERE NOT EXISTS (SELECT 1 FROM session s JOIN enrolment e ON e.course_id = s.course_id
                                 WHERE s.id = export_file_record_sheet.session_id AND e.participant_id = person)) THEN
    RAISE EXCEPTION 'a sheet of session % names someone who is not enrolled in its cohort', export_file_record_sheet.session_id
      USING ERRCODE = 'check_violation';
  END IF;
  INSERT INTO export_file (participant_id, kind, host, path, sha256, session_id, sheet_row)
  SELECT person, 'sheet', host, path, export_file_record_sheet.sha256, export_file_record_sheet.session_id, row_number
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
               AND f.path = l.path AND f.sheet_row = attendance_sheet_row.sheet_row),
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
