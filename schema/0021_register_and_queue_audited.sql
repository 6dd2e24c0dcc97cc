-- The rest of the database review's constraint gaps (issue 23, item 20):
--
-- * A serial's year is the German year of its certificate's issue. Serials are taken for
--   beccaria_today() in the issuing transaction and issued_at is that transaction's now(), so the
--   two agree for every certificate beccaria stores; a row written any other way is refused.
-- * Every certificate names its signing key. Certificates issued before signatures existed
--   (0005) carry none; where a database has none of them, key_id becomes NOT NULL; where it has
--   some, exactly those rows (by id; identity values only grow) stay unsigned.
-- * The register's checks added NOT VALID refused every later change of a row stored before
--   them, a revocation included; they now exempt exactly those rows and are validated.
-- * The nightly run's own record (certificate_run) and its queue (certificate_due) are audited
--   like the rest: a due marker deleted by an issuer login means a certificate never issued, and
--   the log now says who did it. Rows that exist when this runs get a first entry, so that
--   `audit verify --all-tables` has a history to compare them with.
-- * An update that changes only a column the audit leaves out whole (a certificate's PDF bytes)
--   is recorded: an update entry carries the SHA-256 of such columns (`pdf_digest`). Inserts keep
--   leaving the PDF out; its hash is a column of its own (pdf_sha256).

-- Serial year = German year of issue ------------------------------------------------------------

ALTER TABLE certificate
  ADD CONSTRAINT certificate_serial_year_of_issue
    CHECK (substr(serial, 4, 4)::integer = extract(year FROM issued_at AT TIME ZONE 'Europe/Berlin')) NOT VALID;

-- A certificate's content is frozen, so a row stored before a check existed can never be made to
-- pass it; a check added NOT VALID still refused every later change of such a row (a revocation
-- too, and the erasure of its holder). Each such check is made to hold for every row after the
-- last one that breaks it (identity values only grow) and validated; where no row breaks it, it
-- is validated as it is.
DO $$
DECLARE
  c record;
  last_breaking bigint;
BEGIN
  FOR c IN SELECT conname, pg_get_expr(conbin, conrelid) AS expression FROM pg_constraint
            WHERE conrelid = 'certificate'::regclass AND contype = 'c' AND NOT convalidated ORDER BY conname LOOP
    EXECUTE format('SELECT max(id) FROM certificate WHERE NOT (%s)', c.expression) INTO last_breaking;
    IF last_breaking IS NOT NULL THEN
      EXECUTE format('ALTER TABLE certificate DROP CONSTRAINT %I', c.conname);
      EXECUTE format('ALTER TABLE certificate ADD CONSTRAINT %I CHECK ((%s) OR id <= %s) NOT VALID',
                     c.conname, c.expression, last_breaking);
      RAISE WARNING 'certificates up to id % were stored before the check % and stay as they are; every later one is checked',
        last_breaking, c.conname;
    END IF;
    EXECUTE format('ALTER TABLE certificate VALIDATE CONSTRAINT %I', c.conname);
  END LOOP;
END $$;

-- key_id: NOT NULL where no certificate was ever unsigned (the check above then holds as it was
-- written, and makes SET NOT NULL skip its scan).
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM certificate WHERE key_id IS NULL) THEN
    ALTER TABLE certificate ALTER COLUMN key_id SET NOT NULL;
    ALTER TABLE certificate DROP CONSTRAINT certificate_signed;
  END IF;
END $$;

-- The audit of updates: left-out columns by their SHA-256 ---------------------------------------

CREATE OR REPLACE FUNCTION audit_statement() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  keys text[] := string_to_array(TG_ARGV[0], ',');
  omitted text[] := CASE WHEN TG_NARGS > 1 THEN string_to_array(TG_ARGV[1], ',') ELSE '{}'::text[] END;
  actor text := beccaria_actor();
  reason text := nullif(regexp_replace(current_setting('beccaria.reason', true),
                                       '[\x01-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b\u200e\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000e0000-\U000e007f]', '', 'g'), '');
  person_column text;
  key_sql text;
  person_sql text;
  join_sql text;
  row_sql text;
  old_sql text;
  new_sql text;
  first_id bigint;
  written bigint;
BEGIN
  -- Columns left out (large content) are represented by their SHA-256 (`<column>_digest`), so
  -- that a change of them is audited too. Binary columns (certificate PDFs) have a hash column of
  -- their own and are left out whole from inserts and deletes; an update, rare for such rows,
  -- carries their digest, so that an update changing only them is recorded.
  IF cardinality(omitted) > 0 THEN
    SELECT 'jsonb_build_object(' || string_agg(format(expression, 'r'), ', ' ORDER BY attnum)
             FILTER (WHERE NOT binary_column) || ')',
           'jsonb_build_object(' || string_agg(format(expression, 'o'), ', ' ORDER BY attnum) || ')',
           'jsonb_build_object(' || string_agg(format(expression, 'n'), ', ' ORDER BY attnum) || ')'
      INTO row_sql, old_sql, new_sql
      FROM (SELECT attnum, attname = ANY(omitted) AND atttypid = 'bytea'::regtype AS binary_column,
                   CASE WHEN NOT (attname = ANY(omitted))
                        THEN format('%L, %%1$s.%I', attname, attname)
                        WHEN atttypid = 'bytea'::regtype
                        THEN format('%L, encode(sha256(%%1$s.%I), %L)', attname || '_digest', attname, 'hex')
                        ELSE format('%L, encode(sha256(convert_to(%%1$s.%I::text, %L)), %L)',
                                    attname || '_digest', attname, 'UTF8', 'hex') END AS expression
            FROM pg_attribute
            WHERE attrelid = TG_RELID AND attnum > 0 AND NOT attisdropped) columns;
  END IF;
  person_column := CASE
    WHEN TG_TABLE_NAME = 'participant' THEN 'id'
    WHEN EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = TG_RELID AND attname = 'participant_id' AND NOT attisdropped)
      THEN 'participant_id' END;
  -- A lower bound of this statement's first audit id (the sequence hands out ids in order).
  SELECT last_value INTO first_id FROM audit_log_id_seq;
  IF TG_OP = 'UPDATE' THEN
    key_sql := 'jsonb_build_object(' || (SELECT string_agg(format('%L, coalesce(n.%I, o.%I)', k, k, k), ', ') FROM unnest(keys) k) || ')';
    join_sql := (SELECT string_agg(format('o.%I = n.%I', k, k), ' AND ') FROM unnest(keys) k);
    person_sql := CASE WHEN person_column IS NULL THEN 'NULL::bigint' ELSE format('coalesce(n.%I, o.%I)::bigint', person_column, person_column) END;
    EXECUTE format(
      'INSERT INTO audit_log (actor, reason, table_name, action, row_key, participant_id, old_values, new_values)
       SELECT $1, $2, $3, ''UPDATE'', %s, %s, %s, %s
       FROM old_rows o FULL JOIN new_rows n ON %s
       WHERE %s IS DISTINCT FROM %s', key_sql, person_sql,
       coalesce(old_sql, 'to_jsonb(o)'), coalesce(new_sql, 'to_jsonb(n)'), join_sql,
       coalesce(old_sql, 'to_jsonb(o)'), coalesce(new_sql, 'to_jsonb(n)'))
      USING actor, reason, TG_TABLE_NAME, omitted;
  ELSE
    row_sql := coalesce(row_sql, 'to_jsonb(r)');
    key_sql := 'jsonb_build_object(' || (SELECT string_agg(format('%L, r.%I', k, k), ', ') FROM unnest(keys) k) || ')';
    person_sql := CASE WHEN person_column IS NULL THEN 'NULL::bigint' ELSE format('r.%I::bigint', person_column) END;
    EXECUTE format(
      'INSERT INTO audit_log (actor, reason, table_name, action, row_key, participant_id, old_values, new_values)
       SELECT $1, $2, $3, $4, %s, %s, %s, %s FROM %I r',
      key_sql, person_sql,
      CASE WHEN TG_OP = 'DELETE' THEN row_sql ELSE 'NULL::jsonb' END,
      CASE WHEN TG_OP = 'INSERT' THEN row_sql ELSE 'NULL::jsonb' END,
      CASE WHEN TG_OP = 'DELETE' THEN 'old_rows' ELSE 'new_rows' END)
      USING actor, reason, TG_TABLE_NAME, TG_OP, omitted;
  END IF;
  GET DIAGNOSTICS written = ROW_COUNT;
  IF written > 0 THEN
    INSERT INTO audit_pending (xact, first_id) VALUES (pg_current_xact_id(), first_id) ON CONFLICT (xact) DO NOTHING;
  END IF;
  RETURN NULL;
END $$;

-- The run and its queue -------------------------------------------------------------------------

-- First entries for the rows already there, written as the trigger would have written them.
INSERT INTO audit_pending (xact, first_id)
SELECT pg_current_xact_id(), (SELECT last_value FROM audit_log_id_seq)
 WHERE EXISTS (SELECT 1 FROM certificate_run) OR EXISTS (SELECT 1 FROM certificate_due)
ON CONFLICT (xact) DO NOTHING;
INSERT INTO audit_log (actor, reason, table_name, action, row_key, participant_id, old_values, new_values)
SELECT 'db migrate', 'audited from migration 0021 on', 'certificate_run', 'INSERT', jsonb_build_object('id', r.id), NULL,
       NULL, to_jsonb(r)
  FROM certificate_run r ORDER BY r.id;
INSERT INTO audit_log (actor, reason, table_name, action, row_key, participant_id, old_values, new_values)
SELECT 'db migrate', 'audited from migration 0021 on', 'certificate_due', 'INSERT',
       jsonb_build_object('participant_id', d.participant_id, 'programme_id', d.programme_id), d.participant_id, NULL, to_jsonb(d)
  FROM certificate_due d ORDER BY d.participant_id, d.programme_id;

CREATE TRIGGER audit_insert AFTER INSERT ON certificate_run REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION audit_statement('id');
CREATE TRIGGER audit_update AFTER UPDATE ON certificate_run REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION audit_statement('id');
CREATE TRIGGER audit_delete AFTER DELETE ON certificate_run REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION audit_statement('id');
CREATE TRIGGER audit_insert AFTER INSERT ON certificate_due REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION audit_statement('participant_id,programme_id');
CREATE TRIGGER audit_update AFTER UPDATE ON certificate_due REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION audit_statement('participant_id,programme_id');
CREATE TRIGGER audit_delete AFTER DELETE ON certificate_due REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION audit_statement('participant_id,programme_id');
