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
