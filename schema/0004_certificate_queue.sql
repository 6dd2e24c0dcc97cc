-- The nightly certificate run works from a queue of participants whose certificates may have
-- become due: every write that can change eligibility (attendance, assessments, enrolments) marks
-- the participant and programme here, set-wise per statement. The run claims markers with
-- FOR UPDATE SKIP LOCKED, so its cost follows what changed since the last run, not the history,
-- and several runs can share the work.

CREATE TABLE certificate_due (
  participant_id bigint NOT NULL REFERENCES participant (id),
  programme_id bigint NOT NULL REFERENCES programme (id),
  marked_at timestamptz NOT NULL DEFAULT now(),
  -- Failed attempts (a document that could not be rendered); the marker stays for the next run.
  attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  last_error text,
  -- The run that last failed on it: the same run does not try again.
  last_run_id bigint,
  PRIMARY KEY (participant_id, programme_id)
);
CREATE INDEX certificate_due_order_idx ON certificate_due (marked_at, participant_id);

CREATE FUNCTION certificate_mark_due_from_attendance() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
  SET search_path FROM CURRENT AS $$
BEGIN
  INSERT INTO certificate_due (participant_id, programme_id)
  SELECT DISTINCT r.participant_id, v.programme_id
  FROM changed_rows r
  JOIN session s ON s.id = r.session_id
  JOIN programme_version v ON v.id = s.programme_version_id
  ON CONFLICT (participant_id, programme_id) DO UPDATE SET marked_at = excluded.marked_at;
  RETURN NULL;
END $$;
CREATE TRIGGER certificate_due_on_attendance_insert AFTER INSERT ON attendance REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION certificate_mark_due_from_attendance();
CREATE TRIGGER certificate_due_on_attendance_update AFTER UPDATE ON attendance REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION certificate_mark_due_from_attendance();

CREATE FUNCTION certificate_mark_due_from_assessment() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
  SET search_path FROM CURRENT AS $$
BEGIN
  INSERT INTO certificate_due (participant_id, programme_id)
  SELECT DISTINCT participant_id, programme_id FROM changed_rows
  ON CONFLICT (participant_id, programme_id) DO UPDATE SET marked_at = excluded.marked_at;
  RETURN NULL;
END $$;
CREATE TRIGGER certificate_due_on_assessment_insert AFTER INSERT ON assessment REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION certificate_mark_due_from_assessment();
CREATE TRIGGER certificate_due_on_assessment_update AFTER UPDATE ON assessment REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION certificate_mark_due_from_assessment();

CREATE FUNCTION certificate_mark_due_from_enrolment() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
  SET search_path FROM CURRENT AS $$
BEGIN
  INSERT INTO certificate_due (participant_id, programme_id)
  SELECT DISTINCT r.participant_id, v.programme_id
  FROM changed_rows r JOIN programme_version v ON v.id = r.programme_version_id
  WHERE r.enrolled_at IS NOT NULL
  ON CONFLICT (participant_id, programme_id) DO UPDATE SET marked_at = excluded.marked_at;
  RETURN NULL;
END $$;
CREATE TRIGGER certificate_due_on_enrolment_update AFTER UPDATE ON enrolment REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION certificate_mark_due_from_enrolment();

-- Cohorts whose last session is past are ended by the run, which then marks their participants
-- (Teilnahmebescheinigungen for those who did not reach the Zertifikat).
CREATE INDEX course_status_idx ON course (status) WHERE status IN ('open', 'running');
CREATE INDEX certificate_run_running_idx ON certificate_run (id) WHERE status = 'running';
ALTER TABLE certificate_run ADD COLUMN exported integer NOT NULL DEFAULT 0 CHECK (exported >= 0);
ALTER TABLE certificate_run ADD COLUMN cohorts_ended integer NOT NULL DEFAULT 0 CHECK (cohorts_ended >= 0);
