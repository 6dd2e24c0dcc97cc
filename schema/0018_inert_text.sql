-- Stored text is inert: no control characters (C0, DEL, C1) and no bidirectional overrides,
-- which could make a terminal, a log viewer or a spreadsheet show something other than what is
-- stored (an escape sequence printing "VALID", a name reading backwards). The command line
-- refuses them with a sentence; these constraints refuse them for every other client.
-- Left out: run errors (several lines by design), and the audit log, whose actor and reason are
-- cleaned by the audit trigger itself. A database that already holds such text (a note with a
-- line break, imported earlier) keeps it: the constraint is then left NOT VALID, which still
-- refuses every new or changed value, and a warning names it; output escapes the old text.

CREATE FUNCTION beccaria_inert(value text) RETURNS boolean
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT $1 !~ '[\x01-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]'
$$;
GRANT EXECUTE ON FUNCTION beccaria_inert(text)
  TO beccaria_admin, beccaria_trainer, beccaria_issuer, beccaria_auditor, beccaria_registrar, beccaria_eraser;

DO $$
DECLARE
  c record;
BEGIN
  FOR c IN
    SELECT cl.relname AS table_name, a.attname AS column_name
    FROM pg_attribute a JOIN pg_class cl ON cl.oid = a.attrelid
    WHERE cl.relnamespace = 'public'::regnamespace AND cl.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
      AND a.atttypid = 'text'::regtype
      AND cl.relname NOT IN ('audit_log', 'schema_migration', 'audit_chain', 'audit_pending')
      AND (cl.relname, a.attname) NOT IN (('certificate_run', 'error'), ('certificate_due', 'last_error'))
    ORDER BY cl.relname, a.attnum
  LOOP
    EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I CHECK (beccaria_inert(%I)) NOT VALID',
                   c.table_name, left(c.table_name || '_' || c.column_name, 57) || '_inert', c.column_name);
    BEGIN
      EXECUTE format('ALTER TABLE %I VALIDATE CONSTRAINT %I', c.table_name, left(c.table_name || '_' || c.column_name, 57) || '_inert');
    EXCEPTION WHEN check_violation THEN
      RAISE WARNING '%.% holds control characters already; new and changed values are checked from now on',
        c.table_name, c.column_name;
    END;
  END LOOP;
END $$;
