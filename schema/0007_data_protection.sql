-- Data protection: the right of access (export), erasure on request, retention periods.
--
-- Erasure removes or pseudonymises a person's data wherever it occurs: the participant row, name
-- history, free text in attendance, enrolments and assessments, the certificates' printed fields
-- and PDF bytes, and the old/new values of the audit log. What verification needs stays: each
-- certificate's serial, SHA-256, key id and signature, so that the holder's own PDF still proves
-- genuine (by its bytes and the signature it carries) and verification says the data was erased.
-- Both functions run as the owner (they must touch the audit log and frozen certificates, which
-- they do under the documented maintenance switch) and are granted to the programme office only.

ALTER TABLE certificate ADD COLUMN holder_erased_at timestamptz;

-- What of an audit row's JSON may stay after its person is erased: numbers, booleans, nulls and
-- a few non-personal codes; every other string (names, e-mail, dates of birth, free text) goes.
CREATE FUNCTION beccaria_scrub(doc jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN doc IS NULL THEN NULL ELSE
    coalesce((SELECT jsonb_object_agg(key, value) FROM jsonb_each(doc)
              WHERE jsonb_typeof(value) IN ('number', 'boolean', 'null')
                 OR key IN ('status', 'kind', 'scope', 'result', 'serial', 'pdf_sha256', 'key_id', 'signature',
                            'erased_at', 'erasure_reason', 'municipality_ags')), '{}'::jsonb)
    || '{"personal_data_erased": true}'::jsonb END
$$;

CREATE FUNCTION participant_erase(person bigint, why text) RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
  erased timestamptz;
BEGIN
  IF btrim(coalesce(why, '')) = '' THEN
    RAISE EXCEPTION 'an erasure needs a reason' USING ERRCODE = 'check_violation', CONSTRAINT = 'participant_erasure_has_reason';
  END IF;
  SELECT erased_at INTO erased FROM participant WHERE id = person FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'participant % does not exist', person USING ERRCODE = 'no_data_found';
  END IF;
  IF erased IS NOT NULL THEN
    RAISE EXCEPTION 'participant % was already erased on %', person, erased::date USING ERRCODE = 'check_violation',
      CONSTRAINT = 'participant_erased_once';
  END IF;
  PERFORM set_config('beccaria.reason', why, true);

  UPDATE participant SET family_name = 'Gelöscht', given_names = 'Person ' || id, birth_date = NULL, email = NULL,
         organisation = NULL, function = NULL, notes = NULL, erased_at = now(), erasure_reason = why, updated_at = now()
   WHERE id = person;
  DELETE FROM participant_name_change WHERE participant_id = person;
  UPDATE attendance SET correction_reason = NULL, note = NULL
   WHERE participant_id = person AND (correction_reason IS NOT NULL OR note IS NOT NULL);
  UPDATE assessment SET title = NULL, note = NULL WHERE participant_id = person AND (title IS NOT NULL OR note IS NOT NULL);
  UPDATE enrolment SET end_reason = 'gelöscht' WHERE participant_id = person AND end_reason IS NOT NULL;
  DELETE FROM certificate_due WHERE participant_id = person;

  -- Frozen content and the append-only log change only under the maintenance switch.
  PERFORM set_config('beccaria.maintenance', 'on', true);
  UPDATE certificate
     SET snapshot = (snapshot - 'birthDate') || jsonb_build_object('holderName', 'Auf Antrag gelöscht'),
         pdf = ''::bytea, holder_erased_at = now()
   WHERE participant_id = person;
  UPDATE audit_log SET old_values = beccaria_scrub(old_values), new_values = beccaria_scrub(new_values), reason = NULL
   WHERE participant_id = person;
  -- The reason of this erasure itself stays with the participant row's audit entries.
  UPDATE audit_log SET reason = why
   WHERE participant_id = person AND table_name = 'participant' AND new_values ? 'erased_at'
     AND new_values->>'erased_at' IS NOT NULL AND old_values->>'erased_at' IS NULL;
  PERFORM set_config('beccaria.maintenance', 'off', true);
  PERFORM set_config('beccaria.reason', '', true);
END $$;
REVOKE ALL ON FUNCTION participant_erase(bigint, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION participant_erase(bigint, text) TO beccaria_admin;

-- Everything stored about a person (the right of access), audit entries included.
CREATE FUNCTION participant_export(person bigint) RETURNS jsonb
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path FROM CURRENT AS $$
  SELECT jsonb_build_object(
    'participant', to_jsonb(p) || jsonb_build_object('municipality', (SELECT m.name FROM municipality m WHERE m.ags = p.municipality_ags)),
    'name_changes', coalesce((SELECT jsonb_agg(to_jsonb(n) ORDER BY n.id) FROM participant_name_change n WHERE n.participant_id = p.id), '[]'),
    'enrolments', coalesce((
      SELECT jsonb_agg(to_jsonb(e) || jsonb_build_object('course', c.code, 'modules',
               (SELECT coalesce(jsonb_agg(em.module_number ORDER BY em.module_number), '[]') FROM enrolment_module em WHERE em.enrolment_id = e.id))
             ORDER BY e.id)
      FROM enrolment e JOIN course c ON c.id = e.course_id WHERE e.participant_id = p.id), '[]'),
    'attendance', coalesce((
      SELECT jsonb_agg(to_jsonb(a) || jsonb_build_object('course', c.code, 'module', s.module_number, 'day', s.day, 'session_ue', s.ue)
             ORDER BY s.day, s.starts_at)
      FROM attendance a JOIN session s ON s.id = a.session_id JOIN course c ON c.id = s.course_id WHERE a.participant_id = p.id), '[]'),
    'assessments', coalesce((SELECT jsonb_agg(to_jsonb(x) ORDER BY x.id) FROM assessment x WHERE x.participant_id = p.id), '[]'),
    'certificates', coalesce((
      SELECT jsonb_agg((to_jsonb(c) - 'pdf') || jsonb_build_object('pdf_base64', translate(encode(c.pdf, 'base64'), E'\n', ''))
             ORDER BY c.id)
      FROM certificate c WHERE c.participant_id = p.id), '[]'),
    'audit_log', coalesce((SELECT jsonb_agg(to_jsonb(l) ORDER BY l.id) FROM audit_log l WHERE l.participant_id = p.id), '[]'),
    'exported_at', now())
  FROM participant p WHERE p.id = person
$$;
REVOKE ALL ON FUNCTION participant_export(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION participant_export(bigint) TO beccaria_admin, beccaria_auditor;

-- Retention periods (one row). NULL means "keep".
CREATE TABLE retention_policy (
  id boolean PRIMARY KEY DEFAULT true CHECK (id),
  -- Attendance rows of cohorts that ended more than this many years ago.
  attendance_detail_years integer CHECK (attendance_detail_years BETWEEN 1 AND 100),
  -- Participants without any certificate whose last cohort ended (or who were registered, when
  -- they never had one) more than this many years ago are erased.
  participant_years integer CHECK (participant_years BETWEEN 1 AND 100),
  updated_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO retention_policy (id) VALUES (true);
CREATE TRIGGER audit_update AFTER UPDATE ON retention_policy REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_statement('id');
