-- Stored text is inert: no control characters (C0, DEL, C1), no bidirectional controls, no line
-- or paragraph separators, which could make a terminal, a log viewer or a spreadsheet show
-- something other than what is stored (an escape sequence printing "VALID", a name reading
-- backwards), and none of the invisible characters no script needs (soft hyphen, zero-width
-- space, word joiner, byte order mark, tags ...), which make two different names look the same.
-- Zero-width (non-)joiners and variation selectors stay: names in Persian, Indic and CJK
-- scripts use them. The set is InertText's in the command line (BeccariaCore). The command line
-- refuses them with a sentence; these constraints refuse them for every other client.
-- Left out: run errors (several lines by design), and the audit log, whose actor and reason are
-- cleaned by the audit trigger itself. A database that already holds such text (a note with a
-- line break, imported earlier) keeps it: the constraint is then left NOT VALID, which still
-- refuses every new or changed value, and a warning names it; output escapes the old text.

CREATE FUNCTION beccaria_inert(value text) RETURNS boolean
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT $1 !~ '[\x01-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b\u200e\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000e0000-\U000e007f]'
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
