-- A record of the schema changes in one beccaria database, kept where its owner cannot edit it:
-- every command PostgreSQL's event triggers see (CREATE, ALTER, DROP of tables, functions,
-- triggers, indexes and the like, GRANT and REVOKE on them). Not seen by event triggers, so not
-- recorded: role memberships (GRANT role TO role), ALTER DATABASE and privileges on the database
-- itself; DDL run through EXECUTE is recorded by its command and object, not its text.
-- Run by a DBA (a superuser) in each beccaria database, after its first `beccaria db migrate`:
--
--   psql -X -v ON_ERROR_STOP=1 -f scripts/dba-ddl-log.sql beccaria
--
-- The owner of a database can switch a table's triggers off, drop a constraint or replace a
-- function (README, "Known weak points"); TRUNCATE is refused by triggers, but DDL is not
-- recorded by them. An event trigger is: it belongs to the superuser, so the owner can neither
-- drop nor disable it, and it writes into a schema the owner cannot change. The auditor reads it:
--
--   SELECT at, db_user, command_tag, object_identity FROM beccaria_dba.ddl_log ORDER BY id DESC;
--
-- Migrations appear there too, as they run. The owner's pg_dump includes the log (it may read
-- it); restoring the schema and the event triggers needs a superuser: a non-superuser restore
-- leaves them out (pg_restore -N beccaria_dba) and the DBA runs this script again afterwards.
-- Running the script again changes nothing.

\set ON_ERROR_STOP on
CREATE SCHEMA IF NOT EXISTS beccaria_dba;
REVOKE ALL ON SCHEMA beccaria_dba FROM PUBLIC;

CREATE TABLE IF NOT EXISTS beccaria_dba.ddl_log (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT clock_timestamp(),
  db_user text NOT NULL DEFAULT session_user,
  event text NOT NULL,
  command_tag text NOT NULL,
  object_type text,
  object_identity text,
  query text
);
REVOKE ALL ON beccaria_dba.ddl_log FROM PUBLIC;

CREATE OR REPLACE FUNCTION beccaria_dba.record_ddl() RETURNS event_trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  r record;
BEGIN
  IF TG_EVENT = 'sql_drop' THEN
    FOR r IN SELECT * FROM pg_event_trigger_dropped_objects() WHERE original AND NOT is_temporary LOOP
      INSERT INTO beccaria_dba.ddl_log (db_user, event, command_tag, object_type, object_identity, query)
      VALUES (session_user, TG_EVENT, TG_TAG, r.object_type, r.object_identity, current_query());
    END LOOP;
  ELSE
    -- Temporary tables (the office's imports stage files in them) are no schema change.
    FOR r IN SELECT * FROM pg_event_trigger_ddl_commands() WHERE schema_name IS DISTINCT FROM 'pg_temp'
                                                             AND coalesce(schema_name, '') NOT LIKE 'pg\_temp\_%' LOOP
      INSERT INTO beccaria_dba.ddl_log (db_user, event, command_tag, object_type, object_identity, query)
      VALUES (session_user, TG_EVENT, r.command_tag, r.object_type, r.object_identity, current_query());
    END LOOP;
  END IF;
END $$;
REVOKE ALL ON FUNCTION beccaria_dba.record_ddl() FROM PUBLIC;

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_event_trigger WHERE evtname = 'beccaria_record_ddl') THEN
    CREATE EVENT TRIGGER beccaria_record_ddl ON ddl_command_end EXECUTE FUNCTION beccaria_dba.record_ddl();
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_event_trigger WHERE evtname = 'beccaria_record_drop') THEN
    CREATE EVENT TRIGGER beccaria_record_drop ON sql_drop EXECUTE FUNCTION beccaria_dba.record_ddl();
  END IF;
END $$;

GRANT USAGE ON SCHEMA beccaria_dba TO beccaria_auditor;
GRANT SELECT ON beccaria_dba.ddl_log TO beccaria_auditor;
-- The owner reads it too, so that its pg_dump of the database includes it (pg_dump reads the
-- identity sequence's position as well); it cannot change either.
SELECT format('GRANT USAGE ON SCHEMA beccaria_dba TO %I', pg_get_userbyid(datdba)) AS usage_grant,
       format('GRANT SELECT ON beccaria_dba.ddl_log TO %I', pg_get_userbyid(datdba)) AS select_grant,
       format('GRANT SELECT ON SEQUENCE beccaria_dba.ddl_log_id_seq TO %I', pg_get_userbyid(datdba)) AS sequence_grant
  FROM pg_database WHERE datname = current_database() \gset
:usage_grant;
:select_grant;
:sequence_grant;
