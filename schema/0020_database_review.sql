-- Findings of the database review (issue 23) that a schema change settles:
--
-- * A trainer's sessions cannot overlap, judged on the session's own times: the session keeps its
--   time range as a generated column, and session_trainer's copy follows it by a foreign key with
--   ON UPDATE CASCADE. A trigger used to copy it without a lock, so a session re-timed while a
--   trainer was being assigned kept the old times in the copy and the trainer was double-booked.
--   The foreign key check locks the session row (KEY SHARE) and a re-timing changes the key, so
--   the two now wait for each other, and an assignment that read old times is refused.
-- * Two sessions of one cohort do not overlap either.
-- * "Enrolled until" compares German calendar days: an enrolment ended on a day in Germany covers
--   that day's sessions whatever the client's TimeZone (psql in UTC and the CLI in Europe/Berlin
--   used to disagree around midnight).
-- * Participant search uses a trigram index (pg_trgm) instead of scanning every row: the old
--   text_pattern_ops index never served a pattern that begins with %.
-- * Names sort as German readers expect (ICU, DIN 5007-1: Ö with O, not after Z); identifiers
--   (AGS, serials, codes) keep the byte order of "C".
-- * Indexes the queries need: certificates by run and key, name changes by participant, the
--   enrolment a transfer led to.
-- * Certificates name a version of their own programme, are never revoked before their issue nor
--   completed after it; a transfer points at an enrolment of the same person.

-- Sessions and trainers ------------------------------------------------------------------------

ALTER TABLE session
  ADD COLUMN during tsrange GENERATED ALWAYS AS (tsrange(day + starts_at, day + ends_at)) STORED;
ALTER TABLE session ADD CONSTRAINT session_id_during_key UNIQUE (id, during);

DROP TRIGGER session_times_changed ON session;
DROP FUNCTION session_propagate_times();

-- Any copy that went stale before is made true again; a double booking it uncovers stops the
-- migration with the exclusion constraint's message naming both sessions.
UPDATE session_trainer st SET during = s.during FROM session s
 WHERE s.id = st.session_id AND st.during IS DISTINCT FROM s.during;

ALTER TABLE session_trainer
  ADD CONSTRAINT session_trainer_follows_session FOREIGN KEY (session_id, during)
  REFERENCES session (id, during) ON UPDATE CASCADE ON DELETE CASCADE;

-- The copy is taken once, when the trainer is assigned; from then on the foreign key keeps it.
DROP TRIGGER session_trainer_during ON session_trainer;
CREATE TRIGGER session_trainer_during BEFORE INSERT OR UPDATE OF session_id ON session_trainer
  FOR EACH ROW EXECUTE FUNCTION session_trainer_set_during();

ALTER TABLE session
  ADD CONSTRAINT session_no_overlap_in_course EXCLUDE USING gist (course_id WITH =, during WITH &&);

-- Enrolled until a German day ---------------------------------------------------------------------

-- Whether an enrolment that ended at `ended_at` still covers a session on `day`, a German
-- calendar date: the end is read as a date in Europe/Berlin, never in the client's zone. NULL
-- (not ended) answers NULL, as the comparison it replaces did; callers ask about ended ones.
CREATE FUNCTION enrolment_covers_day(ended_at timestamptz, day date) RETURNS boolean
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN (ended_at AT TIME ZONE 'Europe/Berlin')::date >= day;
GRANT EXECUTE ON FUNCTION enrolment_covers_day(timestamptz, date)
  TO beccaria_admin, beccaria_trainer, beccaria_issuer, beccaria_auditor, beccaria_eraser;

CREATE OR REPLACE FUNCTION attendance_covered(person bigint, course bigint, module integer, day date) RETURNS boolean
  LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
  SELECT EXISTS (
    SELECT 1 FROM enrolment e
     WHERE e.participant_id = person AND e.course_id = course AND e.enrolled_at IS NOT NULL
       AND (e.status = 'enrolled' OR enrolment_covers_day(e.ended_at, day))
       AND (e.scope = 'programme'
            OR EXISTS (SELECT 1 FROM enrolment_module em WHERE em.enrolment_id = e.id AND em.module_number = module)))
$$;

CREATE OR REPLACE FUNCTION attendance_check_rows() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  bad record;
BEGIN
  -- One pass over the statement's rows; the first violation found is reported.
  SELECT n.session_id, n.participant_id, n.ue_attended, s.ue, s.day,
         CASE WHEN n.ue_attended > s.ue THEN 'ue'
              WHEN s.day > beccaria_today() THEN 'future'
              ELSE 'enrolment' END AS rule
    INTO bad
    FROM new_rows n JOIN session s ON s.id = n.session_id
   WHERE n.ue_attended > s.ue
      OR s.day > beccaria_today()
      OR NOT EXISTS (
           SELECT 1 FROM enrolment e
            WHERE e.participant_id = n.participant_id AND e.course_id = s.course_id
              AND e.enrolled_at IS NOT NULL
              AND (e.status = 'enrolled' OR enrolment_covers_day(e.ended_at, s.day))
              AND (e.scope = 'programme' OR EXISTS (
                    SELECT 1 FROM enrolment_module em WHERE em.enrolment_id = e.id AND em.module_number = s.module_number)))
   LIMIT 1;
  IF NOT FOUND THEN
    RETURN NULL;
  ELSIF bad.rule = 'ue' THEN
    RAISE EXCEPTION 'attendance of % UE exceeds the % UE of session %', bad.ue_attended, bad.ue, bad.session_id
      USING ERRCODE = 'check_violation', CONSTRAINT = 'attendance_ue_within_session';
  ELSIF bad.rule = 'future' THEN
    RAISE EXCEPTION 'session % on % has not taken place yet', bad.session_id, bad.day
      USING ERRCODE = 'check_violation', CONSTRAINT = 'attendance_not_in_future';
  ELSE
    RAISE EXCEPTION 'participant % is not enrolled for the module of session %', bad.participant_id, bad.session_id
      USING ERRCODE = 'check_violation', CONSTRAINT = 'attendance_participant_enrolled';
  END IF;
END $$;

-- Participant search and German order -------------------------------------------------------------

CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- The text a search pattern is matched against: both orders of the name and the e-mail address,
-- folded (lower case, no accents), with separators no pattern crosses by accident. Every name is
-- qualified: the index below is built by restores with an empty search_path.
CREATE FUNCTION participant_search_text(family_name text, given_names text, email text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN public.beccaria_fold(family_name || ' ' || given_names || ' | ' || given_names || ' ' || family_name
                              || ' | ' || coalesce(email, ''));
GRANT EXECUTE ON FUNCTION participant_search_text(text, text, text)
  TO beccaria_admin, beccaria_trainer, beccaria_issuer, beccaria_auditor, beccaria_eraser;

DO $do$
DECLARE
  trgm name := (SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm');
BEGIN
  EXECUTE format(
    'CREATE INDEX participant_search_trgm ON participant USING gin '
    '(public.participant_search_text(family_name, given_names, email) %I.gin_trgm_ops)', trgm);
END $do$;
DROP INDEX participant_search_idx;

-- DIN 5007-1 order (umlauts with their base letter) for names shown in lists.
CREATE COLLATION german (provider = icu, locale = 'de-DE');
CREATE INDEX participant_name_order_idx ON participant (family_name COLLATE german, given_names COLLATE german, id);

-- Indexes the queries and foreign keys need ------------------------------------------------------

CREATE INDEX certificate_key_idx ON certificate (key_id);
CREATE INDEX participant_name_change_participant_idx ON participant_name_change (participant_id);
CREATE INDEX enrolment_transferred_to_idx ON enrolment (transferred_to) WHERE transferred_to IS NOT NULL;

-- Smaller gaps ------------------------------------------------------------------------------------

-- A certificate's version belongs to its programme.
ALTER TABLE programme_version ADD CONSTRAINT programme_version_id_programme_key UNIQUE (id, programme_id);
ALTER TABLE certificate
  ADD CONSTRAINT certificate_version_of_programme FOREIGN KEY (programme_version_id, programme_id)
  REFERENCES programme_version (id, programme_id) NOT VALID;
ALTER TABLE certificate VALIDATE CONSTRAINT certificate_version_of_programme;

-- Added NOT VALID and validated after: validation takes only a SHARE UPDATE EXCLUSIVE lock, so
-- verification keeps reading the register while a large one is checked.
ALTER TABLE certificate
  ADD CONSTRAINT certificate_revoked_after_issue CHECK (revoked_at IS NULL OR revoked_at >= issued_at) NOT VALID,
  ADD CONSTRAINT certificate_completed_by_issue
    CHECK (completed_on <= (issued_at AT TIME ZONE 'Europe/Berlin')::date) NOT VALID;
ALTER TABLE certificate VALIDATE CONSTRAINT certificate_revoked_after_issue;
ALTER TABLE certificate VALIDATE CONSTRAINT certificate_completed_by_issue;

-- A transfer leads to an enrolment of the same person.
ALTER TABLE enrolment ADD CONSTRAINT enrolment_id_participant_key UNIQUE (id, participant_id);
ALTER TABLE enrolment
  ADD CONSTRAINT enrolment_transfer_same_person FOREIGN KEY (transferred_to, participant_id)
  REFERENCES enrolment (id, participant_id) NOT VALID;
ALTER TABLE enrolment VALIDATE CONSTRAINT enrolment_transfer_same_person;

-- Retention counts every sign of activity ---------------------------------------------------------

-- The last German day on which `person` was active: a session of a cohort they enrolled in, an
-- enrolment asked for, begun or ended, a cohort of theirs starting or ending, or the record's
-- creation. Retention used to count session days only, so someone enrolled in a cohort without
-- sessions yet counted as inactive since their record was created.
CREATE FUNCTION participant_last_activity(person bigint) RETURNS date
  LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
  SELECT greatest(
    (SELECT (p.created_at AT TIME ZONE 'Europe/Berlin')::date FROM participant p WHERE p.id = person),
    (SELECT max(s.day) FROM enrolment e JOIN session s ON s.course_id = e.course_id WHERE e.participant_id = person),
    (SELECT max(greatest((e.requested_at AT TIME ZONE 'Europe/Berlin')::date, (e.enrolled_at AT TIME ZONE 'Europe/Berlin')::date,
                         (e.ended_at AT TIME ZONE 'Europe/Berlin')::date, c.starts_on, c.ends_on))
       FROM enrolment e JOIN course c ON c.id = e.course_id WHERE e.participant_id = person))
$$;
GRANT EXECUTE ON FUNCTION participant_last_activity(bigint) TO beccaria_admin, beccaria_eraser;

-- Nothing new is written about an erased person ----------------------------------------------------

-- Attendance of a statement locks its participants first (FOR SHARE, by id): an erasure locks
-- the participant before anything else (participant_erase, 0017), so the two wait for each other
-- at their first lock instead of meeting later at the enrolments and the due marker in opposite
-- orders (a deadlock).
CREATE OR REPLACE FUNCTION attendance_locks_its_basis() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  PERFORM 1 FROM participant p WHERE p.id IN (SELECT DISTINCT participant_id FROM new_rows) ORDER BY p.id FOR SHARE;
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

-- Nothing new is attached to someone erased: no record, no correction, no note. What erasure
-- itself does to their rows — free text set to NULL — is the one change let through (it runs
-- in the same transaction, after erased_at is set). Named to fire after the locks above.
CREATE FUNCTION attendance_not_of_erased() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  erased bigint;
BEGIN
  SELECT n.participant_id INTO erased
    FROM new_rows n JOIN participant p ON p.id = n.participant_id
   WHERE p.erased_at IS NOT NULL
     AND (TG_OP = 'INSERT' OR n.note IS NOT NULL OR n.correction_reason IS NOT NULL
          OR NOT EXISTS (SELECT 1 FROM old_rows o WHERE o.session_id = n.session_id AND o.participant_id = n.participant_id
                           AND (o.status, o.ue_attended) IS NOT DISTINCT FROM (n.status, n.ue_attended)))
   LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'participant % was erased; nothing new is recorded about them', erased
      USING ERRCODE = 'check_violation', CONSTRAINT = 'attendance_not_of_erased';
  END IF;
  RETURN NULL;
END $$;
CREATE FUNCTION attendance_insert_not_of_erased() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  erased bigint;
BEGIN
  SELECT n.participant_id INTO erased FROM new_rows n JOIN participant p ON p.id = n.participant_id
   WHERE p.erased_at IS NOT NULL LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'participant % was erased; nothing new is recorded about them', erased
      USING ERRCODE = 'check_violation', CONSTRAINT = 'attendance_not_of_erased';
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER attendance_not_of_erased_on_insert AFTER INSERT ON attendance REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION attendance_insert_not_of_erased();
CREATE TRIGGER attendance_not_of_erased_on_update AFTER UPDATE ON attendance
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION attendance_not_of_erased();

CREATE FUNCTION assessment_not_of_erased() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  IF (SELECT p.erased_at FROM participant p WHERE p.id = NEW.participant_id FOR SHARE) IS NOT NULL
     AND (TG_OP = 'INSERT' OR NEW.title IS NOT NULL OR NEW.note IS NOT NULL
          OR to_jsonb(NEW) - 'title' - 'note' IS DISTINCT FROM to_jsonb(OLD) - 'title' - 'note') THEN
    RAISE EXCEPTION 'participant % was erased; nothing new is recorded about them', NEW.participant_id
      USING ERRCODE = 'check_violation', CONSTRAINT = 'assessment_not_of_erased';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER assessment_not_of_erased BEFORE INSERT OR UPDATE ON assessment
  FOR EACH ROW EXECUTE FUNCTION assessment_not_of_erased();

-- Places that open when a cohort changes -----------------------------------------------------------

-- A larger capacity, or a cohort opened again, gives its free places to the waiting list (0019).
-- That ran in row triggers, which fire before the statement's audit trigger: the filling's own
-- change of course.seats_taken was audited first and the capacity change after it, carrying the
-- old seat count, so `audit verify --all-tables` reported the untouched row as changed behind
-- the log. One statement trigger, named to fire after audit_update, now does it.
--
-- Erasure ends the enrolments of open and running cohorts; one in a cohort that had ended stays
-- as history. When such a cohort is opened again, the erased person's enrolment ends first, so
-- they hold no place and appear on no roster, and their place goes to the waiting list.
DROP TRIGGER course_capacity_fills ON course;
DROP TRIGGER course_reopened_fills ON course;
DROP FUNCTION course_capacity_raised();

CREATE FUNCTION course_places_after_change() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  changed record;
BEGIN
  FOR changed IN
    SELECT n.id, (o.status NOT IN ('open', 'running') AND n.status IN ('open', 'running')) AS reopened
      FROM new_rows n JOIN old_rows o ON o.id = n.id
     WHERE n.capacity > o.capacity OR (o.status NOT IN ('open', 'running') AND n.status IN ('open', 'running'))
     ORDER BY n.id
  LOOP
    IF changed.reopened THEN
      UPDATE enrolment e SET status = 'withdrawn', queue_number = NULL, end_reason = 'gelöscht (Löschung auf Antrag)'
       WHERE e.course_id = changed.id AND e.status IN ('enrolled', 'waiting')
         AND EXISTS (SELECT 1 FROM participant p WHERE p.id = e.participant_id AND p.erased_at IS NOT NULL);
    END IF;
    PERFORM course_fill(changed.id);
  END LOOP;
  RETURN NULL;
END $$;
CREATE TRIGGER course_places_after_change AFTER UPDATE ON course
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION course_places_after_change();

-- A cohort without a last day is over when each module's sessions add up to its UE ---------------

-- "Every module has its planned sessions" used to mean one session each, so a cohort whose
-- fourth module had one weekend of two behind it was ended, its waiting list closed, and
-- certificates issued on half a module. Now each module's sessions must add up to the UE the
-- programme version gives it, and the last of them must be past.
CREATE OR REPLACE FUNCTION course_over(course bigint) RETURNS boolean
  LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
  SELECT CASE WHEN c.ends_on IS NOT NULL THEN c.ends_on < beccaria_today()
              ELSE coalesce((SELECT max(s.day) FROM session s WHERE s.course_id = c.id) < beccaria_today(), false)
                   AND NOT EXISTS (SELECT 1 FROM programme_module m
                                    WHERE m.programme_version_id = c.programme_version_id
                                      AND coalesce((SELECT sum(s.ue) FROM session s
                                                     WHERE s.course_id = c.id AND s.module_number = m.number), 0) < m.ue)
         END
  FROM course c WHERE c.id = course
$$;

-- A note is not what a certificate rests on ---------------------------------------------------------

-- Only a change of status or UE attended puts a certificate on the review list; a note or a
-- reason added to a record used to raise a false alarm.
CREATE FUNCTION certificate_basis_from_attendance_changes() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  PERFORM certificate_basis_changed(array_agg(k.participant_id), array_agg(k.programme_id), 'attendance')
     FROM (SELECT DISTINCT n.participant_id, v.programme_id
             FROM new_rows n JOIN old_rows o ON o.session_id = n.session_id AND o.participant_id = n.participant_id
             JOIN session s ON s.id = n.session_id JOIN programme_version v ON v.id = s.programme_version_id
            WHERE (n.status, n.ue_attended) IS DISTINCT FROM (o.status, o.ue_attended)) k;
  RETURN NULL;
END $$;
DROP TRIGGER certificate_review_on_attendance_update ON attendance;
CREATE TRIGGER certificate_review_on_attendance_update AFTER UPDATE ON attendance
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION certificate_basis_from_attendance_changes();

-- History is not deleted -------------------------------------------------------------------------

-- An enrolment that ended (withdrawn, transferred), one of a cohort that ended, and one a
-- certificate of its cohort names are history: none is deleted. A mistaken enrolment nobody was
-- recorded or certified for may still go (its place goes to the waiting list, 0019); attendance
-- resting on one is refused by enrolment_keeps_attendance (0019).
CREATE FUNCTION enrolment_history_kept() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  IF OLD.status IN ('withdrawn', 'transferred') THEN
    RAISE EXCEPTION 'enrolment % of participant % ended (%) and is history; it is not deleted', OLD.id, OLD.participant_id, OLD.status
      USING ERRCODE = 'check_violation', CONSTRAINT = 'enrolment_history_kept';
  END IF;
  IF EXISTS (SELECT 1 FROM course c WHERE c.id = OLD.course_id AND c.status = 'ended') AND OLD.enrolled_at IS NOT NULL THEN
    RAISE EXCEPTION 'enrolment % belongs to cohort % that has ended and is history; it is not deleted', OLD.id, OLD.course_id
      USING ERRCODE = 'check_violation', CONSTRAINT = 'enrolment_history_kept';
  END IF;
  IF EXISTS (SELECT 1 FROM certificate c WHERE c.participant_id = OLD.participant_id AND c.course_id = OLD.course_id) THEN
    RAISE EXCEPTION 'enrolment % is the basis of a certificate of participant % in that cohort; withdraw it instead of deleting it',
      OLD.id, OLD.participant_id
      USING ERRCODE = 'check_violation', CONSTRAINT = 'enrolment_history_kept';
  END IF;
  RETURN OLD;
END $$;
CREATE TRIGGER enrolment_history_kept BEFORE DELETE ON enrolment FOR EACH ROW EXECUTE FUNCTION enrolment_history_kept();

-- A UE lasts as long as the programme version says ----------------------------------------------

-- The session check had 45 minutes written into it; the programme defines its UE minutes
-- (`ue_minutes`, kept in the version's definition). Versions are frozen (0015), so a session is
-- checked when it is written.
ALTER TABLE session DROP CONSTRAINT session_ue_fits_time;
CREATE FUNCTION session_ue_fits_time() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  minutes integer;
BEGIN
  SELECT coalesce((v.definition->>'ueMinutes')::integer, 45) INTO minutes
    FROM programme_version v WHERE v.id = NEW.programme_version_id;
  IF NEW.ue * minutes > EXTRACT(EPOCH FROM (NEW.ends_at - NEW.starts_at)) / 60 THEN
    RAISE EXCEPTION '% UE of % minutes need % minutes, but %–% has only %', NEW.ue, minutes, NEW.ue * minutes,
      to_char(NEW.starts_at, 'HH24:MI'), to_char(NEW.ends_at, 'HH24:MI'), EXTRACT(EPOCH FROM (NEW.ends_at - NEW.starts_at))::integer / 60
      USING ERRCODE = 'check_violation', CONSTRAINT = 'session_ue_fits_time';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER session_ue_fits_time BEFORE INSERT OR UPDATE OF ue, starts_at, ends_at, programme_version_id ON session
  FOR EACH ROW EXECUTE FUNCTION session_ue_fits_time();

-- Retention reaches the audit log ----------------------------------------------------------------

-- `retention apply` deletes the attendance detail of cohorts past the retention period, but the
-- audit log kept a full copy of every record (notes, correction reasons, who recorded it) for
-- ever. Once a cohort's records are gone, their audit rows keep only which session and person
-- they were about; what they held stays provable through the SHA-256 the chain keeps (as for an
-- erasure, 0017). Owned by beccaria_eraser, the only role that may scrub audit rows.
CREATE FUNCTION audit_scrub_attendance_of(cohorts bigint[], why text) RETURNS integer
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  scrubbed integer;
BEGIN
  IF btrim(coalesce(why, '')) = '' THEN
    RAISE EXCEPTION 'scrubbing the audit log needs a reason' USING ERRCODE = 'check_violation';
  END IF;
  WITH gone AS (
    SELECT s.id FROM session s WHERE s.course_id = ANY(cohorts)
       AND NOT EXISTS (SELECT 1 FROM attendance x WHERE x.session_id = s.id)
  ), scrubbed_rows AS (
    UPDATE audit_log a
       SET content_sha256 = audit_content_sha256(a.old_values, a.new_values, a.reason), scrubbed_at = clock_timestamp(),
           old_values = (SELECT jsonb_object_agg(key, value) FROM jsonb_each(a.old_values) WHERE key IN ('session_id', 'participant_id')),
           new_values = (SELECT jsonb_object_agg(key, value) FROM jsonb_each(a.new_values) WHERE key IN ('session_id', 'participant_id')),
           reason = NULL
     WHERE a.table_name = 'attendance' AND a.scrubbed_at IS NULL
       AND (a.row_key->>'session_id')::bigint IN (SELECT id FROM gone)
    RETURNING a.id, a.participant_id, a.content_sha256 AS before, audit_content_sha256(a.old_values, a.new_values, a.reason) AS after
  )
  INSERT INTO audit_log (actor, reason, table_name, action, row_key, participant_id, old_values, new_values)
  SELECT beccaria_actor(), why, 'audit_log', 'UPDATE', jsonb_build_object('id', s.id), s.participant_id,
         jsonb_build_object('content_sha256', encode(s.before, 'hex')), jsonb_build_object('content_sha256', encode(s.after, 'hex'))
  FROM scrubbed_rows s ORDER BY s.id;
  GET DIAGNOSTICS scrubbed = ROW_COUNT;
  RETURN scrubbed;
END $$;
REVOKE ALL ON FUNCTION audit_scrub_attendance_of(bigint[], text) FROM PUBLIC;
GRANT SELECT ON attendance TO beccaria_eraser;
-- Granted before the hand-over (which keeps earlier grants): afterwards only its new owner could
-- grant it, and an owner that is not a superuser would see the grant skipped with a warning.
GRANT EXECUTE ON FUNCTION audit_scrub_attendance_of(bigint[], text) TO beccaria_admin;
SELECT beccaria_give_function('audit_scrub_attendance_of(bigint[], text)', 'beccaria_eraser');

-- An ended enrolment stays ended ------------------------------------------------------------------

-- Withdrawn and transferred are final: a withdrawn row set back to enrolled (its end kept) could
-- then be deleted, history and all, and a transfer could be re-pointed or point at itself. A
-- participant who comes back gets a new enrolment (EnrolmentStore.enrol).
CREATE FUNCTION enrolment_end_final() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  IF OLD.status IN ('withdrawn', 'transferred')
     AND (NEW.status, NEW.transferred_to) IS DISTINCT FROM (OLD.status, OLD.transferred_to) THEN
    RAISE EXCEPTION 'enrolment % ended (%); an ended enrolment stays as it ended (enrol the participant again instead)',
      OLD.id, OLD.status
      USING ERRCODE = 'check_violation', CONSTRAINT = 'enrolment_end_final';
  END IF;
  IF NEW.transferred_to = NEW.id THEN
    RAISE EXCEPTION 'enrolment % cannot be transferred to itself', NEW.id
      USING ERRCODE = 'check_violation', CONSTRAINT = 'enrolment_end_final';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER enrolment_end_final BEFORE UPDATE ON enrolment FOR EACH ROW EXECUTE FUNCTION enrolment_end_final();


-- Erasure scrubs notes; that is not a new record, so who recorded it and when stay as they were
-- (the audit log says who scrubbed it). A change of status or UE is stamped as before (0016).
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
  IF (NEW.status, NEW.ue_attended) IS NOT DISTINCT FROM (OLD.status, OLD.ue_attended)
     AND NEW.note IS NULL AND NEW.correction_reason IS NULL THEN
    -- Free text taken away (an erasure's scrub, or a note cleared): the record is the same one.
    NEW.recorded_by := OLD.recorded_by;
    NEW.recorded_at := OLD.recorded_at;
  ELSIF (NEW.status, NEW.ue_attended, NEW.note, NEW.correction_reason)
     IS DISTINCT FROM (OLD.status, OLD.ue_attended, OLD.note, OLD.correction_reason) THEN
    NEW.recorded_by := coalesce(beccaria_actor(), session_user::text);
    NEW.recorded_at := now();
  ELSE
    NEW.recorded_by := OLD.recorded_by;
    NEW.recorded_at := OLD.recorded_at;
  END IF;
  RETURN NEW;
END $$;

-- A booking of single modules books at least one ---------------------------------------------------

-- An enrolment for single modules with none booked took a seat and counted for nothing. Checked
-- at commit, so that the enrolment and its modules are written in one transaction in any order.
CREATE FUNCTION enrolment_books_a_module() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  target bigint;
  e record;
BEGIN
  IF TG_TABLE_NAME = 'enrolment' THEN
    target := NEW.id;
  ELSE
    target := OLD.enrolment_id;
  END IF;
  SELECT id, scope, status INTO e FROM enrolment WHERE id = target;
  IF FOUND AND e.scope = 'modules' AND e.status IN ('enrolled', 'waiting')
     AND NOT EXISTS (SELECT 1 FROM enrolment_module em WHERE em.enrolment_id = e.id) THEN
    RAISE EXCEPTION 'enrolment % books single modules but none of them: book at least one, or enrol for the whole programme', e.id
      USING ERRCODE = 'check_violation', CONSTRAINT = 'enrolment_books_a_module';
  END IF;
  RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER enrolment_books_a_module AFTER INSERT OR UPDATE OF scope, status ON enrolment
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION enrolment_books_a_module();
CREATE CONSTRAINT TRIGGER enrolment_keeps_a_module AFTER DELETE ON enrolment_module
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION enrolment_books_a_module();

-- Every export for the right of access is on record ----------------------------------------------

-- An export written to a file was registered (export_file, for erasure to find it); one written
-- to standard output left no trace. Each export, wherever it went, is now a row here — who gave
-- it, when, the SHA-256 of what was given, and whether it held the audit log's entries (the
-- auditor's export does, the office's does not) — and each row is in the audit log.
CREATE TABLE participant_export_given (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  participant_id bigint NOT NULL REFERENCES participant (id),
  given_at timestamptz NOT NULL DEFAULT now(),
  db_user text NOT NULL DEFAULT session_user CONSTRAINT participant_export_given_db_user_inert CHECK (beccaria_inert(db_user)),
  destination text NOT NULL CONSTRAINT participant_export_given_destination CHECK (destination IN ('standard output', 'file'))
    CONSTRAINT participant_export_given_destination_inert CHECK (beccaria_inert(destination)),
  sha256 text NOT NULL CONSTRAINT participant_export_given_sha256_format CHECK (sha256 ~ '^[0-9a-f]{64}$')
    CONSTRAINT participant_export_given_sha256_inert CHECK (beccaria_inert(sha256)),
  with_audit_entries boolean NOT NULL
);
CREATE INDEX participant_export_given_participant_idx ON participant_export_given (participant_id);
CREATE TRIGGER audit_insert AFTER INSERT ON participant_export_given REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION audit_statement('id');
-- Never fire (the guard below refuses first); kept so that every domain table has its three.
CREATE TRIGGER audit_update AFTER UPDATE ON participant_export_given REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION audit_statement('id');
CREATE TRIGGER audit_delete AFTER DELETE ON participant_export_given REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION audit_statement('id');
CREATE FUNCTION participant_export_given_guard() RETURNS trigger
  LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
  RAISE EXCEPTION 'the record of exports is history: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER participant_export_given_kept BEFORE UPDATE OR DELETE ON participant_export_given
  FOR EACH ROW EXECUTE FUNCTION participant_export_given_guard();
CREATE TRIGGER no_truncate BEFORE TRUNCATE ON participant_export_given FOR EACH STATEMENT EXECUTE FUNCTION beccaria_refuse_truncate();
REVOKE ALL ON participant_export_given FROM beccaria_admin, beccaria_trainer, beccaria_issuer, beccaria_auditor;
GRANT SELECT ON participant_export_given TO beccaria_admin, beccaria_auditor;

CREATE FUNCTION participant_export_record(person bigint, destination text, sha256 text) RETURNS bigint
  LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
  INSERT INTO participant_export_given (participant_id, destination, sha256, with_audit_entries)
  VALUES (person, destination, sha256,
          pg_has_role(session_user, 'beccaria_auditor', 'MEMBER')
          OR pg_has_role(session_user, (SELECT d.datdba FROM pg_database d WHERE d.datname = current_database()), 'MEMBER'))
  RETURNING id
$$;
REVOKE ALL ON FUNCTION participant_export_record(bigint, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION participant_export_record(bigint, text, text) TO beccaria_admin, beccaria_auditor;
