-- Functions hardened as PostgreSQL's documentation prescribes ("Writing SECURITY DEFINER
-- Functions Safely", CREATE FUNCTION): every function that reads or writes a table names its
-- search_path with pg_temp last, so that no caller can shadow a table with a temporary table of
-- the same name; PUBLIC may execute nothing and create no temporary tables; and no function
-- answers questions about a login other than the caller's own.
--
-- Until now the definer functions used `SET search_path FROM CURRENT` ("$user", public), which
-- searches pg_temp first: a trainer login with temporary tables named `trainer` and
-- `session_trainer` saw every cohort through the row-level security helpers, and a temporary
-- `audit_log` swallowed the audit rows of its own writes. Invoker trigger functions read tables
-- with the caller's path, so they are pinned as well.

-- Which sessions, cohorts and participants the logged-in user teaches. The login is
-- `session_user`: it cannot be changed within a session (SET ROLE changes current_user only),
-- and the functions take no login argument, so nobody can ask about someone else.
DROP POLICY own_sessions ON session;
DROP POLICY own_sessions ON session_trainer;
DROP POLICY own_sessions_read ON attendance;
DROP POLICY own_sessions_insert ON attendance;
DROP POLICY own_sessions_update ON attendance;
DROP POLICY own_cohorts ON enrolment;
DROP POLICY own_rosters ON participant;
DROP FUNCTION beccaria_teaches_session(name, bigint);
DROP FUNCTION beccaria_teaches_course(name, bigint);
DROP FUNCTION beccaria_teaches_participant(name, bigint);

CREATE FUNCTION beccaria_teaches_session(session_id bigint) RETURNS boolean
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT EXISTS (
    SELECT 1 FROM session_trainer st JOIN trainer t ON t.id = st.trainer_id
    WHERE st.session_id = $1 AND t.db_login = session_user AND t.active)
$$;
CREATE FUNCTION beccaria_teaches_course(course_id bigint) RETURNS boolean
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT EXISTS (
    SELECT 1 FROM session s JOIN session_trainer st ON st.session_id = s.id JOIN trainer t ON t.id = st.trainer_id
    WHERE s.course_id = $1 AND t.db_login = session_user AND t.active)
$$;
CREATE FUNCTION beccaria_teaches_participant(participant_id bigint) RETURNS boolean
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT EXISTS (
    SELECT 1 FROM enrolment e JOIN session s ON s.course_id = e.course_id
    JOIN session_trainer st ON st.session_id = s.id JOIN trainer t ON t.id = st.trainer_id
    WHERE e.participant_id = $1 AND e.enrolled_at IS NOT NULL AND t.db_login = session_user AND t.active)
$$;

CREATE POLICY own_sessions ON session FOR SELECT TO beccaria_trainer USING (beccaria_teaches_session(id));
CREATE POLICY own_sessions ON session_trainer FOR SELECT TO beccaria_trainer USING (beccaria_teaches_session(session_id));
CREATE POLICY own_sessions_read ON attendance FOR SELECT TO beccaria_trainer USING (beccaria_teaches_session(session_id));
CREATE POLICY own_sessions_insert ON attendance FOR INSERT TO beccaria_trainer
  WITH CHECK (beccaria_teaches_session(session_id));
CREATE POLICY own_sessions_update ON attendance FOR UPDATE TO beccaria_trainer
  USING (beccaria_teaches_session(session_id)) WITH CHECK (beccaria_teaches_session(session_id));
CREATE POLICY own_cohorts ON enrolment FOR SELECT TO beccaria_trainer USING (beccaria_teaches_course(course_id));
CREATE POLICY own_rosters ON participant FOR SELECT TO beccaria_trainer USING (beccaria_teaches_participant(id));

-- The search key for names calls unaccent by its schema: an index expression is evaluated (and
-- the function inlined) with whatever search_path the session has — a restore, or audit verify
-- with only pg_catalog, failed to find the dictionary.
DO $do$
DECLARE
  schema_name name := (SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
                       WHERE e.extname = 'unaccent');
BEGIN
  EXECUTE format(
    $f$CREATE OR REPLACE FUNCTION public.beccaria_fold(value text) RETURNS text
       LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
       AS $body$ SELECT pg_catalog.lower(%1$I.unaccent('%1$I.unaccent'::regdictionary, value)) $body$ $f$, schema_name);
END $do$;

-- Every other function that touches a table: search_path pinned, pg_temp last.
ALTER FUNCTION audit_statement() SET search_path = public, pg_temp;
ALTER FUNCTION audit_log_append_only() SET search_path = public, pg_temp;
ALTER FUNCTION certificate_mark_due_from_attendance() SET search_path = public, pg_temp;
ALTER FUNCTION certificate_mark_due_from_assessment() SET search_path = public, pg_temp;
ALTER FUNCTION certificate_mark_due_from_enrolment() SET search_path = public, pg_temp;
ALTER FUNCTION attendance_check_rows() SET search_path = public, pg_temp;
ALTER FUNCTION attendance_correction_reason() SET search_path = public, pg_temp;
ALTER FUNCTION enrolment_count_seats() SET search_path = public, pg_temp;
ALTER FUNCTION participant_erase(bigint, text) SET search_path = public, pg_temp;
ALTER FUNCTION participant_export(bigint) SET search_path = public, pg_temp;
ALTER FUNCTION session_trainer_set_during() SET search_path = public, pg_temp;
ALTER FUNCTION session_propagate_times() SET search_path = public, pg_temp;
ALTER FUNCTION session_check_recorded_ue() SET search_path = public, pg_temp;
ALTER FUNCTION signing_key_guard() SET search_path = public, pg_temp;
ALTER FUNCTION certificate_guard() SET search_path = public, pg_temp;
ALTER FUNCTION certificate_check_links() SET search_path = public, pg_temp;
ALTER FUNCTION certificate_check_inserted() SET search_path = public, pg_temp;

-- PUBLIC executes nothing of ours (extension functions stay as their extension made them: the
-- btree_gist support functions serve the trainer-overlap constraint, unaccent serves search).
-- Trigger functions need no EXECUTE grant: PostgreSQL checks it when a trigger is created, not
-- when it fires.
DO $$
DECLARE
  f regprocedure;
BEGIN
  FOR f IN
    SELECT p.oid::regprocedure FROM pg_proc p
    WHERE p.pronamespace = 'public'::regnamespace
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
  LOOP
    EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', f);
  END LOOP;
END $$;
ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
GRANT EXECUTE ON FUNCTION beccaria_today() TO beccaria_admin, beccaria_trainer, beccaria_issuer, beccaria_auditor;
GRANT EXECUTE ON FUNCTION beccaria_fold(text) TO beccaria_admin, beccaria_trainer, beccaria_issuer, beccaria_auditor;
GRANT EXECUTE ON FUNCTION beccaria_teaches_session(bigint), beccaria_teaches_course(bigint),
  beccaria_teaches_participant(bigint) TO beccaria_trainer;
GRANT EXECUTE ON FUNCTION participant_erase(bigint, text) TO beccaria_admin;
GRANT EXECUTE ON FUNCTION participant_export(bigint) TO beccaria_admin, beccaria_auditor;

-- No temporary tables for PUBLIC. The office keeps them: the attendance import stages its file
-- in one (every function is pinned above, so a temporary table shadows nothing). Only the
-- database's owner can revoke this; when the schema owner is not, `beccaria db status` says so
-- and the DBA runs the same two statements.
DO $$
BEGIN
  EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
  EXECUTE format('GRANT TEMPORARY ON DATABASE %I TO beccaria_admin', current_database());
END $$;
