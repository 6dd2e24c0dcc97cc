-- Who may do what, enforced by PostgreSQL for every client (the CLI, psql, a reporting tool).
--
-- Four group roles; people and services log in with their own roles (created by
-- `beccaria access grant`, authenticated by PostgreSQL: peer, password or certificate) that are
-- members of one of them:
--   beccaria_admin    the programme office: every domain table, but not the audit log's contents
--   beccaria_trainer  rosters of, and attendance for, the sessions they are assigned to; no birth
--                     dates, e-mail addresses or notes, nobody outside their cohorts
--   beccaria_issuer   the nightly run: reads eligibility inputs, writes certificates and runs
--   beccaria_auditor  reads everything, the audit log included; writes nothing
-- Only the owner (who runs `beccaria db migrate`) can change the schema. Roles are shared by all
-- databases of a cluster; their rights are granted per database here.

DO $$
DECLARE
  name text;
BEGIN
  FOREACH name IN ARRAY ARRAY['beccaria_admin', 'beccaria_trainer', 'beccaria_issuer', 'beccaria_auditor'] LOOP
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

-- Nobody but the owner creates objects; nothing is granted to PUBLIC by default.
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO beccaria_admin, beccaria_trainer, beccaria_issuer, beccaria_auditor;
-- Everyone checks that the schema is current before working.
GRANT SELECT ON schema_migration TO beccaria_admin, beccaria_trainer, beccaria_issuer, beccaria_auditor;

-- The programme office.
GRANT SELECT, INSERT, UPDATE, DELETE ON
  municipality, programme, programme_version, programme_module, course, trainer, session, session_trainer,
  participant, participant_name_change, enrolment, enrolment_module, attendance, assessment, certificate_run,
  certificate_serial_counter, certificate, certificate_due, signing_key
  TO beccaria_admin;
GRANT SELECT ON module_attendance TO beccaria_admin;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO beccaria_admin;

-- The auditor reads everything.
GRANT SELECT ON ALL TABLES IN SCHEMA public TO beccaria_auditor;

-- The nightly run.
GRANT SELECT ON
  municipality, programme, programme_version, programme_module, course, session, participant, enrolment,
  enrolment_module, attendance, assessment, certificate_run, certificate_serial_counter, certificate,
  certificate_due, signing_key, module_attendance
  TO beccaria_issuer;
GRANT INSERT ON certificate TO beccaria_issuer;
GRANT INSERT, UPDATE ON certificate_run, certificate_serial_counter TO beccaria_issuer;
GRANT INSERT, UPDATE, DELETE ON certificate_due TO beccaria_issuer;
GRANT UPDATE (status) ON course TO beccaria_issuer;

-- Trainers: the programme and cohort frame, their sessions, and the roster columns only.
GRANT SELECT ON municipality, programme, programme_version, programme_module, course TO beccaria_trainer;
GRANT SELECT (id, name, email, db_login) ON trainer TO beccaria_trainer;
GRANT SELECT ON session, session_trainer, enrolment, enrolment_module TO beccaria_trainer;
GRANT SELECT (id, family_name, given_names, organisation, municipality_ags) ON participant TO beccaria_trainer;
GRANT SELECT, INSERT, UPDATE ON attendance TO beccaria_trainer;

-- Later migrations' tables: the office and the auditor by default, the others explicitly.
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO beccaria_admin;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO beccaria_auditor;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO beccaria_admin;

-- Which sessions a login teaches (through trainer.db_login). SECURITY DEFINER, so that the
-- policies below can look at assignments the trainer could not read row by row.
CREATE FUNCTION beccaria_teaches_session(login name, session_id bigint) RETURNS boolean
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path FROM CURRENT AS $$
  SELECT EXISTS (
    SELECT 1 FROM session_trainer st JOIN trainer t ON t.id = st.trainer_id
    WHERE st.session_id = $2 AND t.db_login = $1 AND t.active)
$$;
CREATE FUNCTION beccaria_teaches_course(login name, course_id bigint) RETURNS boolean
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path FROM CURRENT AS $$
  SELECT EXISTS (
    SELECT 1 FROM session s JOIN session_trainer st ON st.session_id = s.id JOIN trainer t ON t.id = st.trainer_id
    WHERE s.course_id = $2 AND t.db_login = $1 AND t.active)
$$;
-- A participant is on one of the login's rosters: enrolled in a cohort it teaches.
CREATE FUNCTION beccaria_teaches_participant(login name, participant_id bigint) RETURNS boolean
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path FROM CURRENT AS $$
  SELECT EXISTS (
    SELECT 1 FROM enrolment e JOIN session s ON s.course_id = e.course_id
    JOIN session_trainer st ON st.session_id = s.id JOIN trainer t ON t.id = st.trainer_id
    WHERE e.participant_id = $2 AND e.enrolled_at IS NOT NULL AND t.db_login = $1 AND t.active)
$$;
REVOKE ALL ON FUNCTION beccaria_teaches_session(name, bigint), beccaria_teaches_course(name, bigint),
  beccaria_teaches_participant(name, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION beccaria_teaches_session(name, bigint), beccaria_teaches_course(name, bigint),
  beccaria_teaches_participant(name, bigint) TO beccaria_trainer;

-- Row-level security. The owner (migrations, maintenance) is not subject to it; every group role
-- has its policies.
ALTER TABLE session ENABLE ROW LEVEL SECURITY;
ALTER TABLE session_trainer ENABLE ROW LEVEL SECURITY;
ALTER TABLE attendance ENABLE ROW LEVEL SECURITY;
ALTER TABLE enrolment ENABLE ROW LEVEL SECURITY;
ALTER TABLE enrolment_module ENABLE ROW LEVEL SECURITY;
ALTER TABLE participant ENABLE ROW LEVEL SECURITY;

CREATE POLICY office ON session FOR ALL TO beccaria_admin USING (true) WITH CHECK (true);
CREATE POLICY office ON session_trainer FOR ALL TO beccaria_admin USING (true) WITH CHECK (true);
CREATE POLICY office ON attendance FOR ALL TO beccaria_admin USING (true) WITH CHECK (true);
CREATE POLICY office ON enrolment FOR ALL TO beccaria_admin USING (true) WITH CHECK (true);
CREATE POLICY office ON enrolment_module FOR ALL TO beccaria_admin USING (true) WITH CHECK (true);
CREATE POLICY office ON participant FOR ALL TO beccaria_admin USING (true) WITH CHECK (true);

CREATE POLICY reading ON session FOR SELECT TO beccaria_issuer, beccaria_auditor USING (true);
CREATE POLICY reading ON session_trainer FOR SELECT TO beccaria_issuer, beccaria_auditor USING (true);
CREATE POLICY reading ON attendance FOR SELECT TO beccaria_issuer, beccaria_auditor USING (true);
CREATE POLICY reading ON enrolment FOR SELECT TO beccaria_issuer, beccaria_auditor USING (true);
CREATE POLICY reading ON enrolment_module FOR SELECT TO beccaria_issuer, beccaria_auditor USING (true);
CREATE POLICY reading ON participant FOR SELECT TO beccaria_issuer, beccaria_auditor USING (true);

CREATE POLICY own_sessions ON session FOR SELECT TO beccaria_trainer
  USING (beccaria_teaches_session(current_user, id));
CREATE POLICY own_sessions ON session_trainer FOR SELECT TO beccaria_trainer
  USING (beccaria_teaches_session(current_user, session_id));
CREATE POLICY own_sessions_read ON attendance FOR SELECT TO beccaria_trainer
  USING (beccaria_teaches_session(current_user, session_id));
CREATE POLICY own_sessions_insert ON attendance FOR INSERT TO beccaria_trainer
  WITH CHECK (beccaria_teaches_session(current_user, session_id));
CREATE POLICY own_sessions_update ON attendance FOR UPDATE TO beccaria_trainer
  USING (beccaria_teaches_session(current_user, session_id))
  WITH CHECK (beccaria_teaches_session(current_user, session_id));
CREATE POLICY own_cohorts ON enrolment FOR SELECT TO beccaria_trainer
  USING (beccaria_teaches_course(current_user, course_id));
CREATE POLICY own_cohorts ON enrolment_module FOR SELECT TO beccaria_trainer
  USING (EXISTS (SELECT 1 FROM enrolment e WHERE e.id = enrolment_id));
CREATE POLICY own_rosters ON participant FOR SELECT TO beccaria_trainer
  USING (beccaria_teaches_participant(current_user, id));

-- Rules that must see every row whoever writes (RLS would hide rows from a trainer) run as owner.
ALTER FUNCTION attendance_check_rows() SECURITY DEFINER SET search_path FROM CURRENT;
ALTER FUNCTION attendance_correction_reason() SECURITY DEFINER SET search_path FROM CURRENT;
ALTER FUNCTION enrolment_count_seats() SECURITY DEFINER SET search_path FROM CURRENT;
