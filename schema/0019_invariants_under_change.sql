-- Rules that keep holding when what they depend on changes later, or when a rare path runs.
--
-- * Sessions lie within their cohort's dates, and the cohort's dates keep covering them.
-- * A session with recorded attendance keeps its module and cohort, is not moved into the future
--   or past the enrolment of someone recorded at it, and is not deleted; one without attendance
--   may be moved or deleted (cancelled), which takes its UE out of the module's plan.
-- * An enrolment that attendance depends on is not deleted, narrowed or ended before the sessions
--   it covers.
-- * The waiting list is first come, first served, whatever changes: a place freed by a withdrawal,
--   a transfer, an erasure or a larger capacity goes to the first waiting person in the same
--   statement; nobody waits while a place is free, and nobody gets a place while an earlier
--   arrival waits.
-- * Attendance counts once per participant, session and cohort, however often they enrolled.
-- * A revoked certificate blocks a new one until the office reopens it (certificate_reopen).
-- * UE attended are recorded in half steps, as documented.

-- Sessions and their cohort's dates -------------------------------------------------------------

CREATE FUNCTION session_within_course() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  c record;
BEGIN
  -- FOR SHARE: a change of the cohort's dates waits for this session, and this for it.
  SELECT code, starts_on, ends_on INTO c FROM course WHERE id = NEW.course_id FOR SHARE;
  IF NEW.day < c.starts_on OR NEW.day > c.ends_on THEN
    RAISE EXCEPTION 'a session on % lies outside cohort %''s dates (% to %)', NEW.day, c.code,
      coalesce(c.starts_on::text, 'open'), coalesce(c.ends_on::text, 'open')
      USING ERRCODE = 'check_violation', CONSTRAINT = 'session_within_course';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER session_within_course BEFORE INSERT OR UPDATE OF day, course_id ON session
  FOR EACH ROW EXECUTE FUNCTION session_within_course();

CREATE FUNCTION course_dates_cover_sessions() RETURNS trigger
  LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
  outside record;
BEGIN
  SELECT count(*) AS n, min(s.day) AS first_day, max(s.day) AS last_day INTO outside
    FROM session s WHERE s.course_id = NEW.id AND (s.day < NEW.starts_on OR s.day > NEW.ends_on);
  IF outside.n > 0 THEN
    RAISE EXCEPTION 'cohort % has % session(s) outside % to % (between % and %); move or cancel them first', NEW.code,
      outside.n, coalesce(NEW.starts_on::text, 'open'), coalesce(NEW.ends_on::text, 'open'), outside.first_day, outside.last_day
      USING ERRCODE = 'check_violation', CONSTRAINT = 'session_within_course';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER course_dates_cover_sessions BEFORE UPDATE OF starts_on, ends_on ON course
  FOR EACH ROW WHEN (NEW.starts_on IS DISTINCT FROM OLD.starts_on OR NEW.ends_on IS DISTINCT FROM OLD.ends_on)
  EXECUTE FUNCTION course_dates_cover_sessions();

-- Attendance and what it depends on -------------------------------------------------------------

-- Whether an enrolment of `person` covers a session of `course`, `module`, on `day`: the rule of
-- attendance_check_rows (0001), for one row; the bulk check keeps its own set-wise form.
CREATE FUNCTION attendance_covered(person bigint, course bigint, module integer, day date) RETURNS boolean
  LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
  SELECT EXISTS (
    SELECT 1 FROM enrolment e
     WHERE e.participant_id = person AND e.course_id = course AND e.enrolled_at IS NOT NULL
       AND (e.status = 'enrolled' OR e.ended_at >= day)
       AND (e.scope = 'programme'
            OR EXISTS (SELECT 1 FROM enrolment_module em WHERE em.enrolment_id = e.id AND em.module_number = module)))
$$;
-- For the triggers below, which run as whoever changes sessions and enrolments.
GRANT EXECUTE ON FUNCTION attendance_covered(bigint, bigint, integer, date) TO beccaria_admin, beccaria_eraser;

-- A session that took place and was recorded is history: its records must stay true.
CREATE FUNCTION session_keeps_attendance() RETURNS trigger
  LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
  bad record;
BEGIN
  SELECT n.id, n.day, o.module_number AS old_module, n.module_number AS new_module, count(*) AS n,
         CASE WHEN (n.module_number, n.course_id) IS DISTINCT FROM (o.module_number, o.course_id)
              THEN 'its module or cohort changed'
              WHEN n.day > beccaria_today() THEN 'it would lie in the future'
              ELSE 'a recorded participant was not enrolled on the new day' END AS why
    INTO bad
    FROM new_rows n JOIN old_rows o ON o.id = n.id JOIN attendance a ON a.session_id = n.id
   WHERE (n.module_number, n.course_id, n.day) IS DISTINCT FROM (o.module_number, o.course_id, o.day)
     AND ((n.module_number, n.course_id) IS DISTINCT FROM (o.module_number, o.course_id)
          OR n.day > beccaria_today()
          OR NOT attendance_covered(a.participant_id, n.course_id, n.module_number, n.day))
   GROUP BY n.id, n.day, o.module_number, n.module_number, n.course_id, o.course_id
   ORDER BY n.id LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'session % has % attendance record(s) that this change would break: %', bad.id, bad.n, bad.why
      USING ERRCODE = 'check_violation', CONSTRAINT = 'session_keeps_attendance';
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER session_keeps_attendance_on_update AFTER UPDATE ON session REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION session_keeps_attendance();
-- Before the row goes, so that the sentence, not the foreign key's, is what the office reads.
CREATE FUNCTION session_delete_keeps_attendance() RETURNS trigger
  LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
  recorded integer;
BEGIN
  SELECT count(*) INTO recorded FROM attendance WHERE session_id = OLD.id;
  IF recorded > 0 THEN
    RAISE EXCEPTION 'session % on % has % attendance record(s); a recorded session is not deleted or cancelled (correct its attendance instead)',
      OLD.id, OLD.day, recorded USING ERRCODE = 'check_violation', CONSTRAINT = 'session_keeps_attendance';
  END IF;
  RETURN OLD;
END $$;
CREATE TRIGGER session_keeps_attendance_on_delete BEFORE DELETE ON session
  FOR EACH ROW EXECUTE FUNCTION session_delete_keeps_attendance();

-- An enrolment that recorded attendance depends on stays: deleting it, taking a module out of
-- it, or ending it before a recorded session is refused (a withdrawal today keeps every past
-- record, as the rule says).
CREATE FUNCTION enrolment_keeps_attendance() RETURNS trigger
  LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
  bad record;
BEGIN
  SELECT a.participant_id, s.id AS session_id, s.day, c.code INTO bad
    FROM (SELECT DISTINCT o.participant_id, o.course_id FROM old_rows o) touched
    JOIN session s ON s.course_id = touched.course_id
    JOIN attendance a ON a.session_id = s.id AND a.participant_id = touched.participant_id
    JOIN course c ON c.id = s.course_id
   WHERE NOT attendance_covered(a.participant_id, s.course_id, s.module_number, s.day)
   ORDER BY s.day, s.id LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'participant % has attendance recorded at session % (%) of cohort % that this change would leave without an enrolment',
      bad.participant_id, bad.session_id, bad.day, bad.code
      USING ERRCODE = 'check_violation', CONSTRAINT = 'enrolment_keeps_attendance';
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER enrolment_keeps_attendance_on_update AFTER UPDATE ON enrolment REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION enrolment_keeps_attendance();
CREATE TRIGGER enrolment_keeps_attendance_on_delete AFTER DELETE ON enrolment REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION enrolment_keeps_attendance();

CREATE FUNCTION enrolment_module_keeps_attendance() RETURNS trigger
  LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
  bad record;
BEGIN
  SELECT a.participant_id, s.id AS session_id, s.day, o.module_number INTO bad
    FROM old_rows o JOIN enrolment e ON e.id = o.enrolment_id
    JOIN session s ON s.course_id = e.course_id AND s.module_number = o.module_number
    JOIN attendance a ON a.session_id = s.id AND a.participant_id = e.participant_id
   WHERE NOT attendance_covered(a.participant_id, s.course_id, s.module_number, s.day)
   ORDER BY s.day, s.id LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'participant % has attendance recorded at session % (%) of module %, which this change would take out of the booking',
      bad.participant_id, bad.session_id, bad.day, bad.module_number
      USING ERRCODE = 'check_violation', CONSTRAINT = 'enrolment_keeps_attendance';
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER enrolment_module_keeps_attendance AFTER DELETE ON enrolment_module REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION enrolment_module_keeps_attendance();

-- The waiting list, first come first served ------------------------------------------------------

-- Fills a cohort's free places from its waiting list, in queue order, skipping erased people;
-- returns how many moved up. Free places are counted from the enrolments themselves (the seat
-- counter is kept row by row and may be mid-statement). Cohorts that ended or were cancelled
-- take nobody.
CREATE FUNCTION course_fill(course bigint) RETURNS integer
  LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
  free integer;
  moved integer;
BEGIN
  SELECT c.capacity - (SELECT count(*) FROM enrolment e WHERE e.course_id = c.id AND e.status = 'enrolled') INTO free
    FROM course c WHERE c.id = course AND c.status IN ('open', 'running') FOR NO KEY UPDATE;
  IF coalesce(free, 0) <= 0 THEN
    RETURN 0;
  END IF;
  UPDATE enrolment SET status = 'enrolled', queue_number = NULL, enrolled_at = clock_timestamp()
   WHERE id IN (SELECT w.id FROM enrolment w JOIN participant p ON p.id = w.participant_id
                 WHERE w.course_id = course AND w.status = 'waiting' AND p.erased_at IS NULL
                 ORDER BY w.queue_number LIMIT free FOR NO KEY UPDATE OF w);
  GET DIAGNOSTICS moved = ROW_COUNT;
  RETURN moved;
END $$;
GRANT EXECUTE ON FUNCTION course_fill(bigint) TO beccaria_admin, beccaria_eraser;

CREATE FUNCTION course_capacity_raised() RETURNS trigger
  LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
  PERFORM course_fill(NEW.id);
  RETURN NULL;
END $$;
CREATE TRIGGER course_capacity_fills AFTER UPDATE OF capacity ON course
  FOR EACH ROW WHEN (NEW.capacity > OLD.capacity) EXECUTE FUNCTION course_capacity_raised();

-- After the statement's seat counting (row triggers fire first), every cohort that lost an
-- enrolled person fills its place.
CREATE FUNCTION enrolment_places_freed() RETURNS trigger
  LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
  freed bigint;
BEGIN
  FOR freed IN
    SELECT DISTINCT o.course_id FROM old_rows o
     WHERE o.status = 'enrolled'
       AND NOT EXISTS (SELECT 1 FROM new_rows n WHERE n.id = o.id AND n.status = 'enrolled' AND n.course_id = o.course_id)
     ORDER BY 1
  LOOP
    PERFORM course_fill(freed);
  END LOOP;
  RETURN NULL;
END $$;
-- (a DELETE has no new rows: a function of its own, as plpgsql plans the whole query)
CREATE FUNCTION enrolment_places_freed_by_delete() RETURNS trigger
  LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
  freed bigint;
BEGIN
  FOR freed IN SELECT DISTINCT o.course_id FROM old_rows o WHERE o.status = 'enrolled' ORDER BY 1 LOOP
    PERFORM course_fill(freed);
  END LOOP;
  RETURN NULL;
END $$;
CREATE TRIGGER enrolment_places_freed_on_update AFTER UPDATE ON enrolment REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION enrolment_places_freed();
CREATE TRIGGER enrolment_places_freed_on_delete AFTER DELETE ON enrolment REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION enrolment_places_freed_by_delete();

-- A place goes to nobody while an earlier arrival waits, and nobody waits while a place is free.
-- Both hold the cohort's row first, as every enrolment does, so concurrent writers queue.
CREATE FUNCTION enrolment_waiting_list_fair() RETURNS trigger
  LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
  c record;
  ahead integer;
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.status = NEW.status AND OLD.course_id = NEW.course_id THEN
    RETURN NULL;
  END IF;
  SELECT id, code, capacity, status INTO c FROM course WHERE id = NEW.course_id FOR NO KEY UPDATE;
  IF NEW.status = 'enrolled' THEN
    SELECT count(*) INTO ahead FROM enrolment w JOIN participant p ON p.id = w.participant_id
     WHERE w.course_id = NEW.course_id AND w.status = 'waiting' AND p.erased_at IS NULL AND w.id <> NEW.id
       AND (TG_OP = 'INSERT' OR OLD.status <> 'waiting' OR OLD.course_id <> NEW.course_id OR w.queue_number < OLD.queue_number);
    IF ahead > 0 THEN
      RAISE EXCEPTION 'cohort %: % person(s) waiting came first; a place goes to the first on the waiting list', c.code, ahead
        USING ERRCODE = 'check_violation', CONSTRAINT = 'enrolment_waiting_list_first';
    END IF;
  ELSIF NEW.status = 'waiting' AND c.status IN ('open', 'running')
        AND (SELECT count(*) FROM enrolment e WHERE e.course_id = NEW.course_id AND e.status = 'enrolled') < c.capacity THEN
    RAISE EXCEPTION 'cohort % has a free place: participant % is enrolled, not put on the waiting list', c.code, NEW.participant_id
      USING ERRCODE = 'check_violation', CONSTRAINT = 'enrolment_waiting_list_first';
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER enrolment_waiting_list_fair AFTER INSERT OR UPDATE OF status, course_id ON enrolment
  FOR EACH ROW WHEN (NEW.status IN ('enrolled', 'waiting')) EXECUTE FUNCTION enrolment_waiting_list_fair();

-- Attendance counts once ---------------------------------------------------------------------------

-- As 0003, but per participant, cohort and module rather than per enrolment row: someone who
-- enrolled, withdrew and enrolled again in the same cohort has two enrolments covering the same
-- sessions, whose attendance was counted twice (16 of 32 UE for one session of 8). Each module
-- now takes the enrolment that covers it and is active, else the latest one. New at the end:
--   past_unrecorded_sessions, past_unrecorded_ue   sessions before today without a record
--   largest_future_ue                                the largest session still to come unrecorded
CREATE OR REPLACE VIEW module_attendance AS
WITH coverage AS (
  SELECT DISTINCT ON (e.participant_id, e.course_id, m.number)
         e.id AS enrolment_id, e.participant_id, e.course_id, e.status, m.number AS module_number
  FROM enrolment e
  JOIN programme_module m ON m.programme_version_id = e.programme_version_id
  WHERE e.enrolled_at IS NOT NULL
    AND (e.scope = 'programme'
         OR EXISTS (SELECT 1 FROM enrolment_module em WHERE em.enrolment_id = e.id AND em.module_number = m.number))
  ORDER BY e.participant_id, e.course_id, m.number, e.status = 'enrolled' DESC, e.id DESC
)
SELECT cv.enrolment_id,
       cv.participant_id,
       cv.course_id,
       cv.status AS enrolment_status,
       s.module_number,
       c.programme_version_id,
       v.programme_id,
       v.attendance_threshold,
       v.excused_counts,
       sum(s.ue)::integer AS planned_ue,
       coalesce(sum(CASE WHEN a.status IN ('present', 'late') THEN a.ue_attended
                         WHEN a.status = 'excused' AND v.excused_counts THEN s.ue::numeric
                         ELSE 0 END), 0)::numeric AS attended_ue,
       coalesce(sum(s.ue) FILTER (WHERE a.status IS NULL), 0)::integer AS open_ue,
       max(s.ue) FILTER (WHERE a.status IS NULL) AS largest_open_ue,
       count(*)::integer AS sessions,
       count(a.status)::integer AS recorded_sessions,
       count(*) FILTER (WHERE a.status = 'excused')::integer AS excused_sessions,
       max(s.day) AS last_day,
       max(s.day) FILTER (WHERE a.status IN ('present', 'late')
                          OR (a.status = 'excused' AND v.excused_counts)) AS last_attended_day,
       -- Sessions whose day is past but that nobody recorded: not reachable any more, and not
       -- known to be lost either (the early warning names them).
       count(*) FILTER (WHERE a.status IS NULL AND s.day < beccaria_today())::integer AS past_unrecorded_sessions,
       coalesce(sum(s.ue) FILTER (WHERE a.status IS NULL AND s.day < beccaria_today()), 0)::integer AS past_unrecorded_ue,
       coalesce(max(s.ue) FILTER (WHERE a.status IS NULL AND s.day >= beccaria_today()), 0)::integer AS largest_future_ue
FROM coverage cv
JOIN course c ON c.id = cv.course_id
JOIN programme_version v ON v.id = c.programme_version_id
JOIN session s ON s.course_id = cv.course_id AND s.module_number = cv.module_number
LEFT JOIN attendance a ON a.session_id = s.id AND a.participant_id = cv.participant_id
GROUP BY cv.enrolment_id, cv.participant_id, cv.course_id, cv.status, s.module_number, c.programme_version_id, v.programme_id,
         v.attendance_threshold, v.excused_counts;

-- Reopening a revoked certificate ------------------------------------------------------------------

-- A revoked certificate keeps blocking a new one of its kind (its holder may not simply be certified
-- again by the next run) until the office decides otherwise: a project found plagiarised, then
-- redone and passed. The decision is a row here, made through certificate_reopen() as the
-- registrar, with a reason; the certificate itself stays revoked and verifies so.
CREATE TABLE certificate_reopening (
  certificate_id bigint PRIMARY KEY REFERENCES certificate (id),
  -- The holder, so that erasure finds the row's audit entries and reason.
  participant_id bigint NOT NULL REFERENCES participant (id),
  at timestamptz NOT NULL DEFAULT now(),
  reason text NOT NULL CONSTRAINT certificate_reopening_reason_present CHECK (btrim(reason) <> '')
    CONSTRAINT certificate_reopening_reason_inert CHECK (beccaria_inert(reason)),
  db_user text NOT NULL DEFAULT session_user CONSTRAINT certificate_reopening_db_user_inert CHECK (beccaria_inert(db_user))
);
CREATE INDEX certificate_reopening_participant_idx ON certificate_reopening (participant_id);
CREATE TRIGGER audit_insert AFTER INSERT ON certificate_reopening REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION audit_statement('certificate_id');
CREATE TRIGGER audit_update AFTER UPDATE ON certificate_reopening REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION audit_statement('certificate_id');
CREATE TRIGGER audit_delete AFTER DELETE ON certificate_reopening REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION audit_statement('certificate_id');
CREATE TRIGGER no_truncate BEFORE TRUNCATE ON certificate_reopening FOR EACH STATEMENT EXECUTE FUNCTION beccaria_refuse_truncate();

-- Append-only, like the status events; erasure alone may blank a reason that names the holder.
CREATE FUNCTION certificate_reopening_guard() RETURNS trigger
  LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF current_user <> 'beccaria_registrar' THEN
      RAISE EXCEPTION 'a certificate is reopened through certificate reopen only' USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
  END IF;
  IF TG_OP = 'UPDATE' AND current_user = 'beccaria_eraser'
     AND (NEW.certificate_id, NEW.participant_id, NEW.at, NEW.db_user)
         IS NOT DISTINCT FROM (OLD.certificate_id, OLD.participant_id, OLD.at, OLD.db_user) THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'a reopening is history: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER certificate_reopening_append_only BEFORE INSERT OR UPDATE OR DELETE ON certificate_reopening
  FOR EACH ROW EXECUTE FUNCTION certificate_reopening_guard();

CREATE FUNCTION certificate_reopen(certificate_serial text, reason text) RETURNS timestamptz
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  found_row record;
BEGIN
  IF btrim(coalesce(reason, '')) = '' THEN
    RAISE EXCEPTION 'reopening a certificate needs a reason' USING ERRCODE = 'check_violation',
      CONSTRAINT = 'certificate_reopening_reason_present';
  END IF;
  SELECT c.id, c.participant_id, c.programme_id, c.status, c.holder_erased_at, e.status AS recorded, r.at AS reopened_at
    INTO found_row
    FROM certificate c LEFT JOIN certificate_status_event e ON e.certificate_id = c.id
    LEFT JOIN certificate_reopening r ON r.certificate_id = c.id
   WHERE c.serial = certificate_serial FOR UPDATE OF c;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'certificate % does not exist', certificate_serial USING ERRCODE = 'no_data_found';
  ELSIF coalesce(found_row.recorded, found_row.status) <> 'revoked' THEN
    RAISE EXCEPTION 'certificate % is %: only a revoked certificate is reopened', certificate_serial,
      coalesce(found_row.recorded, found_row.status) USING ERRCODE = 'check_violation', CONSTRAINT = 'certificate_reopening_revoked';
  ELSIF found_row.reopened_at IS NOT NULL THEN
    RAISE EXCEPTION 'certificate % was reopened on % already', certificate_serial, found_row.reopened_at::date
      USING ERRCODE = 'check_violation', CONSTRAINT = 'certificate_reopening_once';
  ELSIF found_row.holder_erased_at IS NOT NULL THEN
    RAISE EXCEPTION 'the holder of certificate % was erased; nothing can be issued to them', certificate_serial
      USING ERRCODE = 'check_violation', CONSTRAINT = 'certificate_reopening_revoked';
  END IF;
  PERFORM set_config('beccaria.reason', reason, true);
  INSERT INTO certificate_reopening (certificate_id, participant_id, reason) VALUES (found_row.id, found_row.participant_id, reason);
  -- The next run looks at the holder again.
  INSERT INTO certificate_due (participant_id, programme_id) VALUES (found_row.participant_id, found_row.programme_id)
  ON CONFLICT (participant_id, programme_id) DO UPDATE SET marked_at = excluded.marked_at;
  RETURN now();
END $$;

REVOKE ALL ON certificate_reopening FROM beccaria_admin, beccaria_issuer, beccaria_trainer;
GRANT SELECT ON certificate_reopening TO beccaria_admin, beccaria_auditor;
GRANT SELECT (certificate_id, participant_id, at) ON certificate_reopening TO beccaria_issuer;
GRANT SELECT, INSERT ON certificate_reopening TO beccaria_registrar;
GRANT SELECT, INSERT, UPDATE ON certificate_due TO beccaria_registrar;
GRANT SELECT, UPDATE (reason) ON certificate_reopening TO beccaria_eraser;
-- Granted before it is handed over (see 0015).
GRANT EXECUTE ON FUNCTION certificate_reopen(text, text) TO beccaria_admin;
SELECT beccaria_give_function('certificate_reopen(text, text)', 'beccaria_registrar');

-- UE attended in half steps ------------------------------------------------------------------------

-- A late arrival attends part of a session: recorded in half UE (22.5 minutes), as the command
-- line and the import document; 6.37 UE says more than anyone measured. Older rows that break it
-- stay (NOT VALID, with a warning); every new or changed row is checked.
ALTER TABLE attendance ADD CONSTRAINT attendance_ue_half_steps CHECK (ue_attended * 2 = trunc(ue_attended * 2)) NOT VALID;
DO $$
BEGIN
  ALTER TABLE attendance VALIDATE CONSTRAINT attendance_ue_half_steps;
EXCEPTION WHEN check_violation THEN
  RAISE WARNING 'attendance holds UE that are not half steps; new and changed values are checked from now on';
END $$;

-- A changed plan changes eligibility -----------------------------------------------------------------

-- A session added, moved or cancelled changes a module's planned UE, and with it who meets the
-- threshold: the cohort's participants are checked again by the next run (as a change of their
-- attendance or enrolment marks them).
CREATE FUNCTION certificate_mark_due_from_sessions() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  INSERT INTO certificate_due (participant_id, programme_id)
  SELECT DISTINCT e.participant_id, v.programme_id
  FROM (SELECT course_id FROM changed_rows) r
  JOIN enrolment e ON e.course_id = r.course_id AND e.enrolled_at IS NOT NULL
  JOIN programme_version v ON v.id = e.programme_version_id
  ON CONFLICT (participant_id, programme_id) DO UPDATE SET marked_at = excluded.marked_at;
  RETURN NULL;
END $$;
CREATE TRIGGER certificate_due_on_session_insert AFTER INSERT ON session REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION certificate_mark_due_from_sessions();
CREATE TRIGGER certificate_due_on_session_update AFTER UPDATE ON session REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION certificate_mark_due_from_sessions();
CREATE TRIGGER certificate_due_on_session_delete AFTER DELETE ON session REFERENCING OLD TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION certificate_mark_due_from_sessions();

-- Assessments are kept as recorded -----------------------------------------------------------------

-- Every attempt is kept (0001): what was assessed, with which result, on which day, does not
-- change or go afterwards, so that a certificate never rests on a result that silently became
-- another. A mistake is put right by recording the attempt again (the report of certificates to
-- review then lists what rests on it); only title and note may be edited (erasure blanks them).
CREATE FUNCTION assessment_kept() RETURNS trigger
  LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    -- When it was recorded is the database's to say (the review of certificates compares it).
    NEW.recorded_at := now();
    IF NEW.assessed_on > beccaria_today() THEN
      RAISE EXCEPTION 'an assessment on % has not taken place yet', NEW.assessed_on
        USING ERRCODE = 'check_violation', CONSTRAINT = 'assessment_not_in_future';
    END IF;
    -- The cohort named is one of the programme that the participant took part in.
    IF NEW.course_id IS NOT NULL AND NOT EXISTS (
         SELECT 1 FROM enrolment e JOIN programme_version v ON v.id = e.programme_version_id
          WHERE e.participant_id = NEW.participant_id AND e.course_id = NEW.course_id AND e.enrolled_at IS NOT NULL
            AND v.programme_id = NEW.programme_id) THEN
      RAISE EXCEPTION 'participant % was not enrolled in that cohort of the programme (course %); name the cohort they were assessed in, or none',
        NEW.participant_id, NEW.course_id USING ERRCODE = 'check_violation', CONSTRAINT = 'assessment_in_own_cohort';
    END IF;
    RETURN NEW;
  ELSIF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'assessment % is kept as recorded (every attempt is); record a new one to put a mistake right', OLD.id
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF (NEW.id, NEW.participant_id, NEW.programme_id, NEW.course_id, NEW.kind, NEW.result, NEW.assessed_on, NEW.recorded_at)
     IS DISTINCT FROM (OLD.id, OLD.participant_id, OLD.programme_id, OLD.course_id, OLD.kind, OLD.result, OLD.assessed_on, OLD.recorded_at) THEN
    RAISE EXCEPTION 'assessment % is kept as recorded: its result, kind and day do not change; record a new attempt', OLD.id
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER assessment_kept BEFORE INSERT OR UPDATE OR DELETE ON assessment FOR EACH ROW EXECUTE FUNCTION assessment_kept();

-- A cohort's waiting list closes with it ---------------------------------------------------------------

-- When a cohort ends or is cancelled, nobody is left waiting for a place that will never come
-- (they may be waiting in a later cohort as well, which is theirs to keep).
CREATE FUNCTION course_closes_waiting_list() RETURNS trigger
  LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
  UPDATE enrolment SET status = 'withdrawn', queue_number = NULL, ended_at = now(),
         end_reason = CASE NEW.status WHEN 'ended' THEN 'Durchgang beendet, kein Platz frei geworden' ELSE 'Durchgang abgesagt' END
   WHERE course_id = NEW.id AND status = 'waiting';
  RETURN NULL;
END $$;
CREATE TRIGGER course_closes_waiting_list AFTER UPDATE OF status ON course
  FOR EACH ROW WHEN (NEW.status IN ('ended', 'cancelled') AND OLD.status IN ('open', 'running'))
  EXECUTE FUNCTION course_closes_waiting_list();
UPDATE enrolment e SET status = 'withdrawn', queue_number = NULL, ended_at = now(),
       end_reason = CASE c.status WHEN 'ended' THEN 'Durchgang beendet, kein Platz frei geworden' ELSE 'Durchgang abgesagt' END
  FROM course c
 WHERE c.id = e.course_id AND c.status IN ('ended', 'cancelled') AND e.status = 'waiting';

-- Derived and workflow columns are the database's ------------------------------------------------------

-- A cohort's seat count is kept by the enrolment trigger (0001) and is what the capacity CHECK
-- reads: written by hand (set to 0, say), it would let the cohort overbook. Only a trigger may
-- change it.
CREATE FUNCTION course_seats_derived() RETURNS trigger
  LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
  IF pg_trigger_depth() = 1
     AND (CASE TG_OP WHEN 'INSERT' THEN NEW.seats_taken <> 0 ELSE NEW.seats_taken IS DISTINCT FROM OLD.seats_taken END) THEN
    RAISE EXCEPTION 'cohort %: the places taken are counted from its enrolments, not written', NEW.code
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER course_seats_derived BEFORE INSERT OR UPDATE OF seats_taken ON course
  FOR EACH ROW EXECUTE FUNCTION course_seats_derived();

-- An enrolment's place in the queue and its times are the database's: the waiting list's order is
-- when people asked (a queue number from the sequence, given when they start to wait), and the
-- times a place was given or an enrolment ended are stamped on those transitions. Nobody enrols
-- or queues an erased person.
CREATE FUNCTION enrolment_stamp() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  -- An enrolment stays its person's, in its cohort: another person or cohort is another
  -- enrolment (withdraw and enrol, or transfer), with its own place in the queue.
  IF TG_OP = 'UPDATE' AND (NEW.id, NEW.participant_id, NEW.course_id, NEW.programme_version_id)
                          IS DISTINCT FROM (OLD.id, OLD.participant_id, OLD.course_id, OLD.programme_version_id) THEN
    RAISE EXCEPTION 'enrolment % stays the enrolment of its participant in its cohort; withdraw and enrol, or transfer, instead', OLD.id
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  -- FOR SHARE: an erasure of the person (which holds the row FOR NO KEY UPDATE) waits for this
  -- enrolment, and this one for it, and sees it (lock order: the participant first).
  IF NEW.status IN ('enrolled', 'waiting') AND (TG_OP = 'INSERT' OR OLD.status NOT IN ('enrolled', 'waiting'))
     AND (SELECT erased_at FROM participant WHERE id = NEW.participant_id FOR SHARE) IS NOT NULL THEN
    RAISE EXCEPTION 'participant % was erased and cannot be enrolled or wait for a place', NEW.participant_id
      USING ERRCODE = 'check_violation', CONSTRAINT = 'enrolment_not_erased';
  END IF;
  IF TG_OP = 'INSERT' THEN
    NEW.requested_at := clock_timestamp();
    NEW.queue_number := CASE WHEN NEW.status = 'waiting' THEN nextval('enrolment_queue_seq') END;
    NEW.enrolled_at := CASE WHEN NEW.status = 'enrolled' THEN clock_timestamp() END;
    NEW.ended_at := CASE WHEN NEW.status IN ('withdrawn', 'transferred') THEN now() END;
    RETURN NEW;
  END IF;
  IF NEW.requested_at IS DISTINCT FROM OLD.requested_at
     OR (NEW.status = 'waiting' AND OLD.status = 'waiting' AND NEW.queue_number IS DISTINCT FROM OLD.queue_number)
     OR (NOT (NEW.status = 'enrolled' AND OLD.status <> 'enrolled') AND NEW.enrolled_at IS DISTINCT FROM OLD.enrolled_at)
     OR (NOT (NEW.status IN ('withdrawn', 'transferred') AND OLD.status NOT IN ('withdrawn', 'transferred'))
         AND NEW.ended_at IS DISTINCT FROM OLD.ended_at) THEN
    RAISE EXCEPTION 'enrolment %: when it was asked for, its place in the queue and when it began and ended are the database''s', OLD.id
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF NEW.status = 'waiting' AND OLD.status <> 'waiting' THEN
    NEW.queue_number := nextval('enrolment_queue_seq');
  ELSIF NEW.status <> 'waiting' THEN
    NEW.queue_number := NULL;
  END IF;
  IF NEW.status = 'enrolled' AND OLD.status <> 'enrolled' THEN
    NEW.enrolled_at := clock_timestamp();
  END IF;
  IF NEW.status IN ('withdrawn', 'transferred') AND OLD.status NOT IN ('withdrawn', 'transferred') THEN
    NEW.ended_at := now();
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER enrolment_stamp BEFORE INSERT OR UPDATE ON enrolment FOR EACH ROW EXECUTE FUNCTION enrolment_stamp();

-- A booking changed in place (a module swapped) is checked like one taken out.
CREATE TRIGGER enrolment_module_keeps_attendance_on_update AFTER UPDATE ON enrolment_module REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION enrolment_module_keeps_attendance();

-- A cohort opened again fills its free places like one whose capacity grew.
CREATE TRIGGER course_reopened_fills AFTER UPDATE OF status ON course
  FOR EACH ROW WHEN (NEW.status IN ('open', 'running') AND OLD.status NOT IN ('open', 'running'))
  EXECUTE FUNCTION course_capacity_raised();

-- Attendance is history: a record is corrected (with a reason), never deleted, except by the
-- retention period for cohorts that ended long enough ago (retention apply). A DELETE and INSERT
-- would have been a correction without a reason.
CREATE FUNCTION attendance_kept() RETURNS trigger
  LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
  years integer := (SELECT attendance_detail_years FROM retention_policy);
BEGIN
  -- The rule of retention apply: the cohort ended, its last session more than `years` ago.
  IF years IS NULL OR NOT EXISTS (
       SELECT 1 FROM course c JOIN session own ON own.course_id = c.id AND own.id = OLD.session_id
        WHERE c.status = 'ended'
          AND (SELECT max(s.day) FROM session s WHERE s.course_id = c.id) < beccaria_today() - make_interval(years => years)) THEN
    RAISE EXCEPTION 'the attendance of participant % at session % is kept; correct it with a reason instead (only the retention period removes records)',
      OLD.participant_id, OLD.session_id USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN OLD;
END $$;
CREATE TRIGGER attendance_kept BEFORE DELETE ON attendance FOR EACH ROW EXECUTE FUNCTION attendance_kept();

-- Rules across tables under concurrency ------------------------------------------------------------------

-- The attendance rule (0001) reads sessions, enrolments and bookings; in READ COMMITTED each
-- side of a race reads the other's committed state only (a session moved into the future, or an
-- enrolment ended, while someone records it: both commit). Before the rule runs (triggers of a
-- statement fire in name order), the rows it reads are locked FOR SHARE, in id order: a
-- concurrent change of them waits for this statement's transaction, and this one for theirs,
-- and whichever comes second sees the other's rows (the session and enrolment rules of this
-- migration read attendance) and is refused.
CREATE FUNCTION attendance_locks_its_basis() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  PERFORM 1 FROM session s WHERE s.id IN (SELECT DISTINCT session_id FROM new_rows) ORDER BY s.id FOR SHARE;
  PERFORM 1 FROM enrolment e
    JOIN (SELECT DISTINCT n.participant_id, s.course_id FROM new_rows n JOIN session s ON s.id = n.session_id) k
      ON k.participant_id = e.participant_id AND k.course_id = e.course_id
   ORDER BY e.id FOR SHARE OF e;
  PERFORM 1 FROM enrolment_module em
   WHERE em.enrolment_id IN (
     SELECT e.id FROM enrolment e
       JOIN (SELECT DISTINCT n.participant_id, s.course_id FROM new_rows n JOIN session s ON s.id = n.session_id) k
         ON k.participant_id = e.participant_id AND k.course_id = e.course_id
      WHERE e.scope = 'modules')
   ORDER BY em.enrolment_id, em.module_number FOR SHARE;
  RETURN NULL;
END $$;
CREATE TRIGGER attendance_locks_its_basis_on_insert AFTER INSERT ON attendance REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION attendance_locks_its_basis();
CREATE TRIGGER attendance_locks_its_basis_on_update AFTER UPDATE ON attendance REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION attendance_locks_its_basis();

-- What a certificate rests on, changed after its issue ----------------------------------------------------

-- Certificates are frozen and signed; when what one rests on changes later (attendance recorded,
-- corrected or deleted, sessions added, moved or cancelled, an assessment recorded), the holder
-- and programme are noted here with what changed and when, so that `report review` lists every
-- such certificate whatever the change and whoever made it. Only holders of a valid certificate
-- are noted (nobody else has one to review).
CREATE TABLE certificate_basis_change (
  participant_id bigint NOT NULL REFERENCES participant (id),
  programme_id bigint NOT NULL REFERENCES programme (id),
  kind text NOT NULL CONSTRAINT certificate_basis_change_kind CHECK (kind IN ('attendance', 'plan', 'assessment'))
    CONSTRAINT certificate_basis_change_kind_inert CHECK (beccaria_inert(kind)),
  changed_at timestamptz NOT NULL,
  PRIMARY KEY (participant_id, programme_id, kind)
);
CREATE TRIGGER no_truncate BEFORE TRUNCATE ON certificate_basis_change FOR EACH STATEMENT EXECUTE FUNCTION beccaria_refuse_truncate();
-- Written by the triggers below only (the default privileges of 0006 gave the office more).
REVOKE ALL ON certificate_basis_change FROM beccaria_admin, beccaria_issuer, beccaria_trainer;
GRANT SELECT ON certificate_basis_change TO beccaria_admin, beccaria_auditor;

CREATE FUNCTION certificate_basis_changed(people bigint[], programmes bigint[], what text) RETURNS void
  LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
  INSERT INTO certificate_basis_change (participant_id, programme_id, kind, changed_at)
  SELECT DISTINCT k.participant_id, k.programme_id, what, clock_timestamp()
  FROM unnest(people, programmes) AS k (participant_id, programme_id)
  WHERE EXISTS (SELECT 1 FROM certificate c WHERE c.participant_id = k.participant_id AND c.programme_id = k.programme_id
                   AND c.status = 'valid')
  ON CONFLICT (participant_id, programme_id, kind) DO UPDATE SET changed_at = excluded.changed_at
$$;

CREATE FUNCTION certificate_basis_from_attendance() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  PERFORM certificate_basis_changed(array_agg(k.participant_id), array_agg(k.programme_id), 'attendance')
     FROM (SELECT DISTINCT r.participant_id, v.programme_id FROM changed_rows r JOIN session s ON s.id = r.session_id
           JOIN programme_version v ON v.id = s.programme_version_id) k;
  RETURN NULL;
END $$;
-- Named to fire after the due markers of 0004 (triggers fire in name order): marking the holder
-- due waits for a nightly run that claimed them, so the certificate it issues on the old
-- figures is committed, and seen here, before this looks. Deletions are retention's, which
-- does not change what a certificate rests on.
CREATE TRIGGER certificate_review_on_attendance_insert AFTER INSERT ON attendance REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION certificate_basis_from_attendance();
CREATE TRIGGER certificate_review_on_attendance_update AFTER UPDATE ON attendance REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION certificate_basis_from_attendance();

CREATE FUNCTION certificate_basis_from_sessions() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  PERFORM certificate_basis_changed(array_agg(k.participant_id), array_agg(k.programme_id), 'plan')
     FROM (SELECT DISTINCT e.participant_id, v.programme_id FROM (SELECT DISTINCT course_id FROM changed_rows) r
           JOIN enrolment e ON e.course_id = r.course_id AND e.enrolled_at IS NOT NULL
           JOIN programme_version v ON v.id = e.programme_version_id) k;
  RETURN NULL;
END $$;
-- A session's room or trainer is not what certificates rest on; its day, UE, module and cohort are.
CREATE FUNCTION certificate_basis_from_session_changes() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  PERFORM certificate_basis_changed(array_agg(k.participant_id), array_agg(k.programme_id), 'plan')
     FROM (SELECT DISTINCT e.participant_id, v.programme_id
             FROM (SELECT n.course_id FROM new_rows n JOIN old_rows o ON o.id = n.id
                    WHERE (n.day, n.ue, n.module_number, n.course_id) IS DISTINCT FROM (o.day, o.ue, o.module_number, o.course_id)
                   UNION SELECT o.course_id FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE n.course_id <> o.course_id) r
             JOIN enrolment e ON e.course_id = r.course_id AND e.enrolled_at IS NOT NULL
             JOIN programme_version v ON v.id = e.programme_version_id) k;
  RETURN NULL;
END $$;
CREATE TRIGGER certificate_review_on_session_insert AFTER INSERT ON session REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION certificate_basis_from_sessions();
CREATE TRIGGER certificate_review_on_session_update AFTER UPDATE ON session REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION certificate_basis_from_session_changes();
CREATE TRIGGER certificate_review_on_session_delete AFTER DELETE ON session REFERENCING OLD TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION certificate_basis_from_sessions();

CREATE FUNCTION certificate_basis_from_assessment() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  PERFORM certificate_basis_changed(array_agg(participant_id), array_agg(programme_id), 'assessment') FROM changed_rows;
  RETURN NULL;
END $$;
CREATE TRIGGER certificate_review_on_assessment_insert AFTER INSERT ON assessment REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION certificate_basis_from_assessment();

-- A revoked certificate blocks a new one ----------------------------------------------------------------

-- The rule the nightly run applies (a revoked certificate blocks a new one of its kind and module
-- until certificate_reopen), held by the database for every writer of the register.
CREATE FUNCTION certificate_not_blocked() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  blocking record;
BEGIN
  SELECT n.serial, c.serial AS revoked INTO blocking
    FROM new_rows n JOIN certificate c
      ON c.participant_id = n.participant_id AND c.programme_id = n.programme_id AND c.kind = n.kind
     AND coalesce(c.module_number, 0) = coalesce(n.module_number, 0) AND c.id <> n.id AND c.status = 'revoked'
   WHERE NOT EXISTS (SELECT 1 FROM certificate_reopening r WHERE r.certificate_id = c.id)
   LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'certificate % cannot be issued: the revoked certificate % of the same kind blocks it until certificate reopen',
      blocking.serial, blocking.revoked USING ERRCODE = 'check_violation', CONSTRAINT = 'certificate_not_blocked';
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER certificate_not_blocked AFTER INSERT ON certificate REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION certificate_not_blocked();
