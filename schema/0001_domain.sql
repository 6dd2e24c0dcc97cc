-- Schema v1: the domain of the Beccaria programme "Fachkraft für Kriminalprävention".
-- Every invariant that can be stated in the database is stated here (CHECK, FOREIGN KEY, UNIQUE,
-- EXCLUDE, triggers), so that psql or any other client cannot break it either.
-- Forward only: later changes go into new numbered files.

CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS btree_gist;

-- German local time decides what "today" and "this year" mean, whatever the server's TimeZone.
CREATE FUNCTION beccaria_today() RETURNS date
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $$ SELECT (now() AT TIME ZONE 'Europe/Berlin')::date $$;

-- Case- and accent-insensitive search key ("Muller" finds "Müller"). unaccent() is only STABLE
-- because its dictionary could change; naming the dictionary explicitly makes this safe to index.
CREATE FUNCTION beccaria_fold(value text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  AS $$ SELECT lower(unaccent('unaccent'::regdictionary, value)) $$;

-- Municipalities, keyed by the Amtlicher Gemeindeschlüssel (8 digits, kept as text).
CREATE TABLE municipality (
  ags text PRIMARY KEY CONSTRAINT municipality_ags_format CHECK (ags ~ '^[0-9]{8}$'),
  name text NOT NULL CONSTRAINT municipality_name_present CHECK (btrim(name) <> ''),
  district text CONSTRAINT municipality_district_present CHECK (btrim(district) <> ''),
  asskomm_member_since date
    CONSTRAINT municipality_membership_after_founding CHECK (asskomm_member_since >= DATE '2019-02-06'),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- A programme (the Beccaria qualification) and its versioned definitions.
CREATE TABLE programme (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  code text NOT NULL UNIQUE CONSTRAINT programme_code_format CHECK (code ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE programme_version (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  programme_id bigint NOT NULL REFERENCES programme (id),
  version integer NOT NULL CONSTRAINT programme_version_positive CHECK (version >= 1),
  title text NOT NULL CHECK (btrim(title) <> ''),
  attendance_threshold numeric(5, 4) NOT NULL
    CONSTRAINT programme_version_threshold_range CHECK (attendance_threshold > 0 AND attendance_threshold <= 1),
  excused_counts boolean NOT NULL,
  project_required boolean NOT NULL,
  -- The whole definition as loaded (texts of the documents, signatories, blocks) and its hash.
  definition jsonb NOT NULL CHECK (jsonb_typeof(definition) = 'object'),
  definition_sha256 text NOT NULL CHECK (definition_sha256 ~ '^[0-9a-f]{64}$'),
  loaded_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (programme_id, version)
);

CREATE TABLE programme_module (
  programme_version_id bigint NOT NULL REFERENCES programme_version (id),
  number integer NOT NULL CONSTRAINT programme_module_number_range CHECK (number BETWEEN 1 AND 20),
  title text NOT NULL CHECK (btrim(title) <> ''),
  ue integer NOT NULL CONSTRAINT programme_module_ue_positive CHECK (ue > 0),
  blocks jsonb NOT NULL CHECK (jsonb_typeof(blocks) = 'array'),
  PRIMARY KEY (programme_version_id, number)
);

-- A cohort (Durchgang), pinned to the programme version it was opened with.
CREATE TABLE course (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  code text NOT NULL UNIQUE CONSTRAINT course_code_format CHECK (code ~ '^[A-Z0-9][A-Z0-9-]{1,40}$'),
  programme_version_id bigint NOT NULL REFERENCES programme_version (id),
  title text NOT NULL CHECK (btrim(title) <> ''),
  capacity integer NOT NULL DEFAULT 25 CONSTRAINT course_capacity_range CHECK (capacity BETWEEN 1 AND 500),
  -- Kept by the enrolment trigger; the CHECK is what makes overbooking impossible under any
  -- number of concurrent writers (each enrolment updates this row, so they serialise on it).
  seats_taken integer NOT NULL DEFAULT 0,
  venue text,
  starts_on date,
  ends_on date,
  status text NOT NULL DEFAULT 'open'
    CONSTRAINT course_status_known CHECK (status IN ('open', 'running', 'ended', 'cancelled')),
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT course_within_capacity CHECK (seats_taken BETWEEN 0 AND capacity),
  CONSTRAINT course_dates_ordered CHECK (ends_on >= starts_on),
  UNIQUE (id, programme_version_id)
);

CREATE TABLE trainer (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL CHECK (btrim(name) <> ''),
  email text NOT NULL CONSTRAINT trainer_email_format CHECK (email ~ '^[^@[:space:]]+@[^@[:space:]]+\.[^@[:space:]]+$'),
  -- The database login whose writes row-level security binds to this trainer.
  db_login text UNIQUE CHECK (db_login ~ '^[a-z_][a-z0-9_]{0,62}$'),
  active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX trainer_email_unique ON trainer (lower(email));

-- A teaching session of a cohort: one module, one day, a time span, its UE (45 minutes each).
CREATE TABLE session (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  course_id bigint NOT NULL,
  programme_version_id bigint NOT NULL,
  module_number integer NOT NULL,
  day date NOT NULL,
  starts_at time NOT NULL,
  ends_at time NOT NULL,
  ue integer NOT NULL CONSTRAINT session_ue_positive CHECK (ue > 0),
  location text,
  created_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (course_id, programme_version_id) REFERENCES course (id, programme_version_id),
  FOREIGN KEY (programme_version_id, module_number) REFERENCES programme_module (programme_version_id, number),
  CONSTRAINT session_times_ordered CHECK (ends_at > starts_at),
  CONSTRAINT session_ue_fits_time CHECK (ue * 45 <= EXTRACT(EPOCH FROM (ends_at - starts_at)) / 60),
  UNIQUE (id, course_id)
);
CREATE INDEX session_course_idx ON session (course_id, day, starts_at);

CREATE TABLE session_trainer (
  session_id bigint NOT NULL REFERENCES session (id) ON DELETE CASCADE,
  trainer_id bigint NOT NULL REFERENCES trainer (id),
  -- Copied from the session by trigger so that the exclusion constraint can see it.
  during tsrange NOT NULL,
  PRIMARY KEY (session_id, trainer_id),
  CONSTRAINT session_trainer_no_overlap EXCLUDE USING gist (trainer_id WITH =, during WITH &&)
);

CREATE FUNCTION session_trainer_set_during() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  SELECT tsrange(s.day + s.starts_at, s.day + s.ends_at) INTO NEW.during
    FROM session s WHERE s.id = NEW.session_id;
  RETURN NEW;
END $$;
CREATE TRIGGER session_trainer_during BEFORE INSERT OR UPDATE ON session_trainer
  FOR EACH ROW EXECUTE FUNCTION session_trainer_set_during();

CREATE FUNCTION session_propagate_times() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE session_trainer SET during = tsrange(NEW.day + NEW.starts_at, NEW.day + NEW.ends_at)
   WHERE session_id = NEW.id;
  RETURN NEW;
END $$;
CREATE TRIGGER session_times_changed AFTER UPDATE OF day, starts_at, ends_at ON session
  FOR EACH ROW EXECUTE FUNCTION session_propagate_times();

CREATE TABLE participant (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  family_name text NOT NULL CONSTRAINT participant_family_name_present CHECK (btrim(family_name) <> '' AND length(family_name) <= 200),
  given_names text NOT NULL CONSTRAINT participant_given_names_present CHECK (btrim(given_names) <> '' AND length(given_names) <= 200),
  birth_date date CONSTRAINT participant_birth_date_plausible CHECK (birth_date >= DATE '1900-01-01'),
  email text CONSTRAINT participant_email_format CHECK (email ~ '^[^@[:space:]]+@[^@[:space:]]+\.[^@[:space:]]+$'),
  municipality_ags text REFERENCES municipality (ags),
  organisation text,
  function text,
  notes text,
  erased_at timestamptz,
  erasure_reason text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT participant_erasure_has_reason CHECK ((erased_at IS NULL) = (erasure_reason IS NULL))
);
CREATE INDEX participant_search_idx ON participant (beccaria_fold(family_name || ' ' || given_names) text_pattern_ops);
CREATE INDEX participant_email_idx ON participant (lower(email));
CREATE INDEX participant_identity_idx ON participant (beccaria_fold(family_name), birth_date);
CREATE INDEX participant_municipality_idx ON participant (municipality_ags);

-- Earlier names of a participant (after marriage, corrections), with the reason.
CREATE TABLE participant_name_change (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  participant_id bigint NOT NULL REFERENCES participant (id),
  old_family_name text NOT NULL,
  old_given_names text NOT NULL,
  new_family_name text NOT NULL,
  new_given_names text NOT NULL,
  reason text NOT NULL CHECK (btrim(reason) <> ''),
  changed_at timestamptz NOT NULL DEFAULT now()
);

-- Enrolment of a participant in a cohort: the whole programme, or single modules (scope
-- 'modules', listed in enrolment_module), also as make-up from another cohort.
CREATE SEQUENCE enrolment_queue_seq;
CREATE TABLE enrolment (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  course_id bigint NOT NULL,
  programme_version_id bigint NOT NULL,
  participant_id bigint NOT NULL REFERENCES participant (id),
  scope text NOT NULL CONSTRAINT enrolment_scope_known CHECK (scope IN ('programme', 'modules')),
  status text NOT NULL CONSTRAINT enrolment_status_known CHECK (status IN ('enrolled', 'waiting', 'withdrawn', 'transferred')),
  -- Order on the waiting list (FIFO); taken from a sequence while the course row is locked.
  queue_number bigint,
  requested_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  enrolled_at timestamptz,
  ended_at timestamptz,
  end_reason text,
  transferred_to bigint REFERENCES enrolment (id),
  FOREIGN KEY (course_id, programme_version_id) REFERENCES course (id, programme_version_id),
  UNIQUE (id, programme_version_id),
  CONSTRAINT enrolment_waiting_has_queue_number CHECK ((status = 'waiting') = (queue_number IS NOT NULL)),
  CONSTRAINT enrolment_enrolled_has_date CHECK (status <> 'enrolled' OR enrolled_at IS NOT NULL),
  CONSTRAINT enrolment_ended_has_reason CHECK ((status IN ('withdrawn', 'transferred')) = (ended_at IS NOT NULL AND end_reason IS NOT NULL)),
  CONSTRAINT enrolment_transfer_has_target CHECK ((status = 'transferred') = (transferred_to IS NOT NULL))
);
CREATE UNIQUE INDEX enrolment_one_active ON enrolment (course_id, participant_id) WHERE status IN ('enrolled', 'waiting');
CREATE INDEX enrolment_participant_idx ON enrolment (participant_id);
CREATE INDEX enrolment_waiting_idx ON enrolment (course_id, queue_number) WHERE status = 'waiting';

CREATE TABLE enrolment_module (
  enrolment_id bigint NOT NULL,
  programme_version_id bigint NOT NULL,
  module_number integer NOT NULL,
  PRIMARY KEY (enrolment_id, module_number),
  FOREIGN KEY (enrolment_id, programme_version_id) REFERENCES enrolment (id, programme_version_id) ON DELETE CASCADE,
  FOREIGN KEY (programme_version_id, module_number) REFERENCES programme_module (programme_version_id, number)
);

-- Seats: every change of an enrolment's status moves the cohort's seat count; the CHECK on course
-- refuses the change that would overbook it.
CREATE FUNCTION enrolment_count_seats() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  delta integer := 0;
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status = 'enrolled' THEN
    UPDATE course SET seats_taken = seats_taken - 1 WHERE id = OLD.course_id;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status = 'enrolled' THEN
    UPDATE course SET seats_taken = seats_taken + 1 WHERE id = NEW.course_id;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER enrolment_seats AFTER INSERT OR DELETE OR UPDATE OF status, course_id ON enrolment
  FOR EACH ROW EXECUTE FUNCTION enrolment_count_seats();

-- Attendance of one participant at one session.
CREATE TABLE attendance (
  session_id bigint NOT NULL REFERENCES session (id),
  participant_id bigint NOT NULL REFERENCES participant (id),
  status text NOT NULL CONSTRAINT attendance_status_known CHECK (status IN ('present', 'late', 'excused', 'absent')),
  ue_attended numeric(5, 2) NOT NULL CONSTRAINT attendance_ue_not_negative CHECK (ue_attended >= 0),
  -- Who recorded it: the acting person the application names, else the database user.
  recorded_by text NOT NULL DEFAULT coalesce(nullif(current_setting('beccaria.actor', true), ''), session_user),
  recorded_at timestamptz NOT NULL DEFAULT now(),
  correction_reason text,
  note text,
  PRIMARY KEY (session_id, participant_id),
  CONSTRAINT attendance_absence_has_no_ue CHECK (status NOT IN ('excused', 'absent') OR ue_attended = 0),
  CONSTRAINT attendance_presence_has_ue CHECK (status NOT IN ('present', 'late') OR ue_attended > 0)
);
CREATE INDEX attendance_participant_idx ON attendance (participant_id);

-- Rules that span tables, checked once per statement over all its rows (so that a bulk import of
-- a million rows costs a few set-based queries, not a million lookups):
--   * UE attended never exceed the session's UE;
--   * a session is recorded on or after its day (German date), never before;
--   * only participants enrolled for the session's module in its cohort (whole programme or the
--     module booked, also as make-up from another cohort) can be recorded; someone who left the
--     cohort keeps the records of sessions before they left.
CREATE FUNCTION attendance_check_rows() RETURNS trigger LANGUAGE plpgsql AS $$
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
              AND (e.status = 'enrolled' OR e.ended_at >= s.day)
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
CREATE TRIGGER attendance_rules_on_insert AFTER INSERT ON attendance REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION attendance_check_rows();
CREATE TRIGGER attendance_rules_on_update AFTER UPDATE ON attendance REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION attendance_check_rows();

-- A correction after the session's day needs a reason (kept in the row and the audit log).
CREATE FUNCTION attendance_correction_reason() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (NEW.status, NEW.ue_attended) IS DISTINCT FROM (OLD.status, OLD.ue_attended)
     AND (SELECT day FROM session WHERE id = NEW.session_id) < beccaria_today()
     AND btrim(coalesce(NEW.correction_reason, '')) = '' THEN
    RAISE EXCEPTION 'correcting the attendance of participant % at session % after the session''s day needs a reason',
      NEW.participant_id, NEW.session_id
      USING ERRCODE = 'check_violation', CONSTRAINT = 'attendance_correction_has_reason';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER attendance_correction_has_reason BEFORE UPDATE ON attendance
  FOR EACH ROW EXECUTE FUNCTION attendance_correction_reason();

CREATE FUNCTION session_check_recorded_ue() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM attendance WHERE session_id = NEW.id AND ue_attended > NEW.ue) THEN
    RAISE EXCEPTION 'session % has attendance above % UE', NEW.id, NEW.ue
      USING ERRCODE = 'check_violation', CONSTRAINT = 'attendance_ue_within_session';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER session_ue_covers_attendance BEFORE UPDATE OF ue ON session
  FOR EACH ROW EXECUTE FUNCTION session_check_recorded_ue();

-- Final assessment (project work) per participant and programme; every attempt is kept.
CREATE TABLE assessment (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  participant_id bigint NOT NULL REFERENCES participant (id),
  programme_id bigint NOT NULL REFERENCES programme (id),
  course_id bigint REFERENCES course (id),
  kind text NOT NULL DEFAULT 'project' CONSTRAINT assessment_kind_known CHECK (kind IN ('project', 'exam', 'colloquium')),
  result text NOT NULL CONSTRAINT assessment_result_known CHECK (result IN ('passed', 'failed')),
  title text,
  assessed_on date NOT NULL,
  note text,
  recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX assessment_participant_idx ON assessment (participant_id, programme_id);

-- Runs of the nightly certificate job.
CREATE TABLE certificate_run (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  started_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  finished_at timestamptz,
  status text NOT NULL DEFAULT 'running' CONSTRAINT certificate_run_status_known CHECK (status IN ('running', 'succeeded', 'failed')),
  host text NOT NULL,
  pid integer NOT NULL,
  workers integer NOT NULL CHECK (workers >= 1),
  issued integer NOT NULL DEFAULT 0 CHECK (issued >= 0),
  failed integer NOT NULL DEFAULT 0 CHECK (failed >= 0),
  error text,
  CONSTRAINT certificate_run_finished CHECK ((status = 'running') = (finished_at IS NULL))
);

-- Gapless serial numbers per (German) year: taken inside the issuing transaction.
CREATE TABLE certificate_serial_counter (
  year integer PRIMARY KEY CHECK (year BETWEEN 2000 AND 9999),
  last_number integer NOT NULL CHECK (last_number BETWEEN 0 AND 999999)
);

-- Issued certificates, frozen at issue: PDF bytes, their SHA-256 and a snapshot of every printed
-- field. Nothing is deleted; revocation and supersession are statuses.
CREATE TABLE certificate (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  serial text NOT NULL UNIQUE CONSTRAINT certificate_serial_format CHECK (serial ~ '^BQ-[0-9]{4}-[0-9]{6}$'),
  kind text NOT NULL CONSTRAINT certificate_kind_known CHECK (kind IN ('zertifikat', 'teilnahmebescheinigung')),
  participant_id bigint NOT NULL REFERENCES participant (id),
  programme_id bigint NOT NULL REFERENCES programme (id),
  programme_version_id bigint NOT NULL REFERENCES programme_version (id),
  module_number integer,
  course_id bigint REFERENCES course (id),
  completed_on date NOT NULL,
  issued_at timestamptz NOT NULL DEFAULT now(),
  run_id bigint REFERENCES certificate_run (id),
  pdf bytea NOT NULL,
  pdf_sha256 text NOT NULL CONSTRAINT certificate_sha256_format CHECK (pdf_sha256 ~ '^[0-9a-f]{64}$'),
  snapshot jsonb NOT NULL CHECK (jsonb_typeof(snapshot) = 'object'),
  key_id text,
  signature text,
  status text NOT NULL DEFAULT 'valid' CONSTRAINT certificate_status_known CHECK (status IN ('valid', 'revoked', 'superseded')),
  revoked_at timestamptz,
  revocation_reason text,
  superseded_by bigint REFERENCES certificate (id),
  CONSTRAINT certificate_module_matches_kind CHECK ((kind = 'zertifikat') = (module_number IS NULL)),
  CONSTRAINT certificate_revocation_complete CHECK ((status = 'revoked') = (revoked_at IS NOT NULL AND btrim(coalesce(revocation_reason, '')) <> '')),
  CONSTRAINT certificate_supersession_complete CHECK ((status = 'superseded') = (superseded_by IS NOT NULL)),
  CONSTRAINT certificate_signature_complete CHECK ((key_id IS NULL) = (signature IS NULL))
);
-- At most one valid certificate of a kind per participant and programme (and module).
CREATE UNIQUE INDEX certificate_one_valid ON certificate (participant_id, programme_id, kind, coalesce(module_number, 0))
  WHERE status = 'valid';
CREATE INDEX certificate_participant_idx ON certificate (participant_id);

-- Frozen content: once issued, only the status fields may change, and only forward.
CREATE FUNCTION certificate_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('beccaria.maintenance', true) = 'on' THEN
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
  END IF;
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'certificates are never deleted; revoke % instead', OLD.serial
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF (NEW.serial, NEW.kind, NEW.participant_id, NEW.programme_id, NEW.programme_version_id,
      NEW.module_number, NEW.course_id, NEW.completed_on, NEW.issued_at, NEW.run_id, NEW.pdf,
      NEW.pdf_sha256, NEW.snapshot, NEW.key_id, NEW.signature)
     IS DISTINCT FROM
     (OLD.serial, OLD.kind, OLD.participant_id, OLD.programme_id, OLD.programme_version_id,
      OLD.module_number, OLD.course_id, OLD.completed_on, OLD.issued_at, OLD.run_id, OLD.pdf,
      OLD.pdf_sha256, OLD.snapshot, OLD.key_id, OLD.signature) THEN
    RAISE EXCEPTION 'certificate % is frozen: its issued content cannot change', OLD.serial
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF OLD.status <> 'valid' AND NEW.status IS DISTINCT FROM OLD.status THEN
    RAISE EXCEPTION 'certificate % is already %', OLD.serial, OLD.status
      USING ERRCODE = 'check_violation', CONSTRAINT = 'certificate_status_forward';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER certificate_frozen BEFORE UPDATE OR DELETE ON certificate
  FOR EACH ROW EXECUTE FUNCTION certificate_guard();

-- The serial's year and number must have been taken from the counter.
CREATE FUNCTION certificate_check_serial() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  taken integer;
BEGIN
  SELECT last_number INTO taken FROM certificate_serial_counter
   WHERE year = substr(NEW.serial, 4, 4)::integer;
  IF taken IS NULL OR substr(NEW.serial, 9, 6)::integer > taken THEN
    RAISE EXCEPTION 'serial % was not assigned by the serial counter', NEW.serial
      USING ERRCODE = 'check_violation', CONSTRAINT = 'certificate_serial_from_counter';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER certificate_serial_from_counter BEFORE INSERT ON certificate
  FOR EACH ROW EXECUTE FUNCTION certificate_check_serial();
