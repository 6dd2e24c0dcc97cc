-- The roles beccaria needs, created once per PostgreSQL cluster by a DBA (a superuser), so that
-- the database's owner — who runs `beccaria db migrate` — needs neither SUPERUSER nor CREATEROLE.
-- (On PostgreSQL 15 a role with CREATEROLE can grant itself pg_execute_server_program and run
-- programs on the database host: the owner should not have it.)
--
--   psql -X -v ON_ERROR_STOP=1 -v owner=beccaria_owner -v database=beccaria -f scripts/dba-roles.sql postgres
--   createdb --owner beccaria_owner beccaria
--   # logins are the DBA's too, with whatever authentication the site uses:
--   psql -c 'CREATE ROLE anna_schulz LOGIN' postgres
--   # then, as the owner: beccaria db migrate; beccaria access grant anna_schulz --role trainer --trainer anna.schulz@example.org
--
-- What it makes (each only if missing; running it again changes nothing):
--   beccaria_admin, beccaria_trainer, beccaria_issuer, beccaria_auditor, beccaria_verifier,
--   beccaria_mailer                        the group roles logins get (verifier: beccaria serve;
--                                          mailer: beccaria mail send)
--   beccaria_registrar, beccaria_eraser   NOLOGIN roles that own the register's and erasure's
--                                          functions; nobody is a member of them
--   beccaria_steward   holds ADMIN OPTION on those eight roles and nothing else; the owner is made
--                      a member, so that `access grant` can give a login a group role and the
--                      migrations can hand functions to the registrar and the eraser
--
-- Roles are cluster-wide: two beccaria databases in one cluster would share them, and an admin of
-- one would be an admin of the other. So the roles belong to one database, named by
-- -v database=NAME and recorded as the comment "beccaria database: NAME" on beccaria_steward;
-- `beccaria db migrate` refuses every other database of the cluster. A cluster for tests or
-- development may say -v database='*' (every database shares the roles). A binding once made is
-- not changed by running the script again with another name; a DBA who moves beccaria to
-- another database changes the comment by hand. The script refuses to run without both -v
-- owner=… and -v database=….


\set ON_ERROR_STOP on
\if :{?owner}
\else
  \echo 'dba-roles.sql: give the owner of the beccaria database: psql -v owner=NAME -f scripts/dba-roles.sql'
  DO $$ BEGIN RAISE EXCEPTION 'dba-roles.sql needs -v owner=NAME'; END $$;
\endif

\if :{?database}
\else
  \echo 'dba-roles.sql: give the beccaria database whose roles these are: psql -v database=NAME (or -v database=''*'' for a test cluster) -f scripts/dba-roles.sql'
  DO $$ BEGIN RAISE EXCEPTION 'dba-roles.sql needs -v database=NAME'; END $$;
\endif

SELECT set_config('beccaria.dba_owner', :'owner', false), set_config('beccaria.dba_database', :'database', false);

DO $$
DECLARE
  name text;
  owner_name text := current_setting('beccaria.dba_owner');
  binding text := 'beccaria database: ' || current_setting('beccaria.dba_database');
  bound text := (SELECT shobj_description(oid, 'pg_authid') FROM pg_roles WHERE rolname = 'beccaria_steward');
BEGIN
  IF btrim(current_setting('beccaria.dba_database')) = '' THEN
    RAISE EXCEPTION 'the database name is empty; give -v database=NAME (or ''*'' for a test cluster)';
  END IF;
  IF bound LIKE 'beccaria database: %' AND bound <> binding THEN
    RAISE EXCEPTION 'the beccaria roles of this cluster belong to "%" already, not to "%": a second beccaria database needs a cluster of its own',
      substr(bound, 20), substr(binding, 20);
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = owner_name) THEN
    RAISE EXCEPTION 'the owner role % does not exist; create it first (CREATE ROLE % LOGIN)', owner_name, owner_name;
  END IF;
  FOREACH name IN ARRAY ARRAY['beccaria_admin', 'beccaria_trainer', 'beccaria_issuer', 'beccaria_auditor',
                              'beccaria_verifier', 'beccaria_mailer', 'beccaria_registrar', 'beccaria_eraser',
                              'beccaria_steward'] LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = name) THEN
      EXECUTE format('CREATE ROLE %I NOLOGIN', name);
    END IF;
  END LOOP;
  FOREACH name IN ARRAY ARRAY['beccaria_admin', 'beccaria_trainer', 'beccaria_issuer', 'beccaria_auditor',
                              'beccaria_verifier', 'beccaria_mailer', 'beccaria_registrar', 'beccaria_eraser'] LOOP
    EXECUTE format('GRANT %I TO beccaria_steward WITH ADMIN OPTION', name);
  END LOOP;
  -- The steward inherits nothing: it exists to hold ADMIN OPTION, not the roles' rights.
  ALTER ROLE beccaria_steward NOINHERIT;
  EXECUTE format('GRANT beccaria_steward TO %I', owner_name);
  EXECUTE format('COMMENT ON ROLE beccaria_steward IS %L', binding);
END $$;

RESET beccaria.dba_owner;
RESET beccaria.dba_database;
