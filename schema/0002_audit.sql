-- Append-only audit log, written by triggers on every domain table so that every client (the CLI,
-- psql, a reporting tool) is audited alike. The application passes who acts for it in the setting
-- `beccaria.actor` (and an optional `beccaria.reason`); the database user is recorded as well.

CREATE TABLE audit_log (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT clock_timestamp(),
  db_user text NOT NULL DEFAULT session_user,
  actor text,
  reason text,
  table_name text NOT NULL,
  action text NOT NULL CONSTRAINT audit_log_action_known CHECK (action IN ('INSERT', 'UPDATE', 'DELETE')),
  row_key jsonb NOT NULL,
  participant_id bigint,
  old_values jsonb,
  new_values jsonb
);
CREATE INDEX audit_log_participant_idx ON audit_log (participant_id) WHERE participant_id IS NOT NULL;
CREATE INDEX audit_log_table_idx ON audit_log (table_name, at);

-- Generic statement-level trigger: one INSERT ... SELECT into the log per statement, over the
-- statement's transition tables, so that bulk writes (an import of a million attendance rows)
-- are audited row by row at set speed. Arguments: the key columns (comma-separated), then
-- optionally columns to leave out of the JSON (large binary content such as certificate PDFs).
CREATE FUNCTION audit_statement() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
  keys text[] := string_to_array(TG_ARGV[0], ',');
  omitted text[] := CASE WHEN TG_NARGS > 1 THEN string_to_array(TG_ARGV[1], ',') ELSE '{}'::text[] END;
  actor text := nullif(current_setting('beccaria.actor', true), '');
  reason text := nullif(current_setting('beccaria.reason', true), '');
  person_column text;
  key_sql text;
  person_sql text;
  join_sql text;
  row_sql text;
  old_sql text;
  new_sql text;
BEGIN
  -- With columns to leave out (large binary content), the JSON is built from the other columns
  -- only, so the omitted values are never converted at all.
  IF cardinality(omitted) > 0 THEN
    SELECT 'jsonb_build_object(' || string_agg(format('%L, r.%I', attname, attname), ', ' ORDER BY attnum) || ')',
           'jsonb_build_object(' || string_agg(format('%L, o.%I', attname, attname), ', ' ORDER BY attnum) || ')',
           'jsonb_build_object(' || string_agg(format('%L, n.%I', attname, attname), ', ' ORDER BY attnum) || ')'
      INTO row_sql, old_sql, new_sql
      FROM pg_attribute
     WHERE attrelid = TG_RELID AND attnum > 0 AND NOT attisdropped AND NOT (attname = ANY(omitted));
  END IF;
  person_column := CASE
    WHEN TG_TABLE_NAME = 'participant' THEN 'id'
    WHEN EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = TG_RELID AND attname = 'participant_id' AND NOT attisdropped)
      THEN 'participant_id' END;
  IF TG_OP = 'UPDATE' THEN
    -- Pair old and new rows by key; a row whose key changed appears as its old and its new key.
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
  RETURN NULL;
END $$;

CREATE TRIGGER audit_insert AFTER INSERT ON municipality REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_statement('ags');
CREATE TRIGGER audit_update AFTER UPDATE ON municipality REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_statement('ags');
CREATE TRIGGER audit_delete AFTER DELETE ON municipality REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_statement('ags');
CREATE TRIGGER audit_insert AFTER INSERT ON programme REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_statement('id');
CREATE TRIGGER audit_update AFTER UPDATE ON programme REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_statement('id');
CREATE TRIGGER audit_delete AFTER DELETE ON programme REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_statement('id');
CREATE TRIGGER audit_insert AFTER INSERT ON programme_version REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_statement('id', 'definition');
CREATE TRIGGER audit_update AFTER UPDATE ON programme_version REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_statement('id', 'definition');
CREATE TRIGGER audit_delete AFTER DELETE ON programme_version REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_statement('id', 'definition');
CREATE TRIGGER audit_insert AFTER INSERT ON programme_module REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_statement('programme_version_id,number');
CREATE TRIGGER audit_update AFTER UPDATE ON programme_module REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_statement('programme_version_id,number');
CREATE TRIGGER audit_delete AFTER DELETE ON programme_module REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_statement('programme_version_id,number');
CREATE TRIGGER audit_insert AFTER INSERT ON course REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_statement('id');
CREATE TRIGGER audit_update AFTER UPDATE ON course REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_statement('id');
CREATE TRIGGER audit_delete AFTER DELETE ON course REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_statement('id');
CREATE TRIGGER audit_insert AFTER INSERT ON trainer REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_statement('id');
CREATE TRIGGER audit_update AFTER UPDATE ON trainer REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_statement('id');
CREATE TRIGGER audit_delete AFTER DELETE ON trainer REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_statement('id');
CREATE TRIGGER audit_insert AFTER INSERT ON session REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_statement('id');
CREATE TRIGGER audit_update AFTER UPDATE ON session REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_statement('id');
CREATE TRIGGER audit_delete AFTER DELETE ON session REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_statement('id');
CREATE TRIGGER audit_insert AFTER INSERT ON session_trainer REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_statement('session_id,trainer_id');
CREATE TRIGGER audit_update AFTER UPDATE ON session_trainer REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_statement('session_id,trainer_id');
CREATE TRIGGER audit_delete AFTER DELETE ON session_trainer REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_statement('session_id,trainer_id');
CREATE TRIGGER audit_insert AFTER INSERT ON participant REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_statement('id');
CREATE TRIGGER audit_update AFTER UPDATE ON participant REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_statement('id');
CREATE TRIGGER audit_delete AFTER DELETE ON participant REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_statement('id');
CREATE TRIGGER audit_insert AFTER INSERT ON participant_name_change REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_statement('id');
CREATE TRIGGER audit_update AFTER UPDATE ON participant_name_change REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_statement('id');
CREATE TRIGGER audit_delete AFTER DELETE ON participant_name_change REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_statement('id');
CREATE TRIGGER audit_insert AFTER INSERT ON enrolment REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_statement('id');
CREATE TRIGGER audit_update AFTER UPDATE ON enrolment REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_statement('id');
CREATE TRIGGER audit_delete AFTER DELETE ON enrolment REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_statement('id');
CREATE TRIGGER audit_insert AFTER INSERT ON enrolment_module REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_statement('enrolment_id,module_number');
CREATE TRIGGER audit_update AFTER UPDATE ON enrolment_module REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_statement('enrolment_id,module_number');
CREATE TRIGGER audit_delete AFTER DELETE ON enrolment_module REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_statement('enrolment_id,module_number');
CREATE TRIGGER audit_insert AFTER INSERT ON attendance REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_statement('session_id,participant_id');
CREATE TRIGGER audit_update AFTER UPDATE ON attendance REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_statement('session_id,participant_id');
CREATE TRIGGER audit_delete AFTER DELETE ON attendance REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_statement('session_id,participant_id');
CREATE TRIGGER audit_insert AFTER INSERT ON assessment REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_statement('id');
CREATE TRIGGER audit_update AFTER UPDATE ON assessment REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_statement('id');
CREATE TRIGGER audit_delete AFTER DELETE ON assessment REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_statement('id');
CREATE TRIGGER audit_insert AFTER INSERT ON certificate REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_statement('id', 'pdf');
CREATE TRIGGER audit_update AFTER UPDATE ON certificate REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_statement('id', 'pdf');
CREATE TRIGGER audit_delete AFTER DELETE ON certificate REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_statement('id', 'pdf');
CREATE TRIGGER audit_insert AFTER INSERT ON certificate_serial_counter REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_statement('year');
CREATE TRIGGER audit_update AFTER UPDATE ON certificate_serial_counter REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_statement('year');
CREATE TRIGGER audit_delete AFTER DELETE ON certificate_serial_counter REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_statement('year');

-- Nobody rewrites history: UPDATE, DELETE and TRUNCATE of the log are refused for every role,
-- the owner included, unless the documented maintenance switch is set for the transaction
-- (SET LOCAL beccaria.maintenance = 'on'), which erasure on request uses to pseudonymise.
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('beccaria.maintenance', true) = 'on' THEN
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
  END IF;
  RAISE EXCEPTION 'the audit log is append-only (% refused)', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
