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

-- Generic row trigger. Arguments: the key columns (comma-separated), then optionally columns to
-- leave out of the JSON (large binary content such as certificate PDFs).
CREATE FUNCTION audit_row() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
  old_json jsonb := CASE WHEN TG_OP IN ('UPDATE', 'DELETE') THEN to_jsonb(OLD) END;
  new_json jsonb := CASE WHEN TG_OP IN ('INSERT', 'UPDATE') THEN to_jsonb(NEW) END;
  current_json jsonb;
  key_json jsonb := '{}';
  key_column text;
  omitted text;
  person bigint;
BEGIN
  IF TG_NARGS > 1 THEN
    FOREACH omitted IN ARRAY string_to_array(TG_ARGV[1], ',') LOOP
      old_json := old_json - omitted;
      new_json := new_json - omitted;
    END LOOP;
  END IF;
  IF TG_OP = 'UPDATE' AND old_json = new_json THEN
    RETURN NULL;
  END IF;
  current_json := coalesce(new_json, old_json);
  FOREACH key_column IN ARRAY string_to_array(TG_ARGV[0], ',') LOOP
    key_json := key_json || jsonb_build_object(key_column, current_json -> key_column);
  END LOOP;
  person := CASE WHEN TG_TABLE_NAME = 'participant' THEN (current_json ->> 'id')::bigint
                 ELSE (current_json ->> 'participant_id')::bigint END;
  INSERT INTO audit_log (actor, reason, table_name, action, row_key, participant_id, old_values, new_values)
  VALUES (nullif(current_setting('beccaria.actor', true), ''), nullif(current_setting('beccaria.reason', true), ''),
          TG_TABLE_NAME, TG_OP, key_json, person, old_json, new_json);
  RETURN NULL;
END $$;

CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON municipality FOR EACH ROW EXECUTE FUNCTION audit_row('ags');
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON programme FOR EACH ROW EXECUTE FUNCTION audit_row('id');
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON programme_version FOR EACH ROW EXECUTE FUNCTION audit_row('id', 'definition');
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON programme_module FOR EACH ROW EXECUTE FUNCTION audit_row('programme_version_id,number');
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON course FOR EACH ROW EXECUTE FUNCTION audit_row('id');
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON trainer FOR EACH ROW EXECUTE FUNCTION audit_row('id');
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON session FOR EACH ROW EXECUTE FUNCTION audit_row('id');
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON session_trainer FOR EACH ROW EXECUTE FUNCTION audit_row('session_id,trainer_id');
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON participant FOR EACH ROW EXECUTE FUNCTION audit_row('id');
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON participant_name_change FOR EACH ROW EXECUTE FUNCTION audit_row('id');
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON enrolment FOR EACH ROW EXECUTE FUNCTION audit_row('id');
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON enrolment_module FOR EACH ROW EXECUTE FUNCTION audit_row('enrolment_id,module_number');
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON attendance FOR EACH ROW EXECUTE FUNCTION audit_row('session_id,participant_id');
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON assessment FOR EACH ROW EXECUTE FUNCTION audit_row('id');
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON certificate FOR EACH ROW EXECUTE FUNCTION audit_row('id', 'pdf');
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON certificate_serial_counter FOR EACH ROW EXECUTE FUNCTION audit_row('year');

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
