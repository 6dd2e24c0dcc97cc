-- Erasure on request (Art. 17 GDPR) removes every copy of a person's data and keeps what makes
-- their certificates verifiable.
--
-- * It runs as the NOLOGIN role beccaria_eraser, which owns the function: the guards of the
--   frozen certificates and of the append-only audit log let exactly its changes through, once
--   per person. No setting turns this on.
-- * The certificates keep serial, SHA-256, key and signature; their PDF bytes go, and so do the
--   holder's name, birth date and the signed claim in the printed fields (the QR payload
--   carried both in base64url).
-- * Open enrolments and waiting-list places end; a freed place goes to the first waiting person
--   who is not erased.
-- * Files written outside the database are registered (`export_file`, and each nightly run's
--   export folder): erasure returns where the holder's files are, and `participant erase`
--   removes those it can reach and names the others.
-- * Lock order, shared with the nightly run, re-issue and enrolment: the participant row, then
--   the person's open cohorts by id (both FOR NO KEY UPDATE: the run's and re-issue's
--   foreign-key checks take FOR KEY SHARE, which does not conflict), then the due marker
--   (waiting for a run that claimed it to commit), then enrolments, certificates and the audit
--   log.

-- Files written outside the database that hold a person's data.
CREATE TABLE export_file (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  participant_id bigint NOT NULL REFERENCES participant (id),
  certificate_id bigint REFERENCES certificate (id),
  -- A certificate's PDF, an export for the right of access, or a session's sign-in sheet (one
  -- row for each person it names).
  kind text NOT NULL CONSTRAINT export_file_kind_known CHECK (kind IN ('certificate', 'auskunft', 'sheet')),
  host text NOT NULL CHECK (btrim(host) <> ''),
  path text NOT NULL CONSTRAINT export_file_path_absolute CHECK (path LIKE '/%'),
  sha256 text NOT NULL CONSTRAINT export_file_sha256_format CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  written_at timestamptz NOT NULL DEFAULT now(),
  db_user text NOT NULL DEFAULT session_user,
  removed_at timestamptz,
  CONSTRAINT export_file_certificate_kind CHECK ((kind = 'certificate') = (certificate_id IS NOT NULL))
);
CREATE INDEX export_file_participant_idx ON export_file (participant_id) WHERE removed_at IS NULL;
CREATE TRIGGER audit_insert AFTER INSERT ON export_file REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION audit_statement('id');
CREATE TRIGGER audit_update AFTER UPDATE ON export_file REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION audit_statement('id');
CREATE TRIGGER audit_delete AFTER DELETE ON export_file REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION audit_statement('id');
REVOKE ALL ON export_file FROM beccaria_admin;
GRANT SELECT ON export_file TO beccaria_admin;
GRANT UPDATE (removed_at) ON export_file TO beccaria_admin;

-- Registers a file just written (by `certificate export`, `certificate reissue --output` or
-- `participant export --output`; the nightly run's files are known from its export folder).
-- A function, so that the auditor, who writes nothing else, records the exports it makes too.
CREATE FUNCTION export_file_record(kind text, participant bigint, certificate_serial text, host text, path text, sha256 text)
  RETURNS bigint
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  found_certificate bigint;
  recorded bigint;
BEGIN
  IF certificate_serial IS NOT NULL THEN
    SELECT c.id, c.participant_id INTO found_certificate, participant FROM certificate c WHERE c.serial = certificate_serial;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'certificate % does not exist', certificate_serial USING ERRCODE = 'no_data_found';
    END IF;
  END IF;
  INSERT INTO export_file (participant_id, certificate_id, kind, host, path, sha256)
  VALUES (participant, found_certificate, kind, host, path, export_file_record.sha256)
  RETURNING id INTO recorded;
  RETURN recorded;
END $$;
GRANT EXECUTE ON FUNCTION export_file_record(text, bigint, text, text, text, text) TO beccaria_admin, beccaria_auditor;

-- A sign-in sheet names everyone on the session's roster: one registration each. The office
-- prints any session's sheet, a trainer those of the sessions they teach.
CREATE FUNCTION export_file_record_sheet(session_id bigint, host text, path text, sha256 text) RETURNS integer
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  people bigint[];
BEGIN
  IF NOT (pg_has_role(session_user, 'beccaria_admin', 'MEMBER') OR beccaria_teaches_session(export_file_record_sheet.session_id)) THEN
    RAISE EXCEPTION 'session % is not one of yours', export_file_record_sheet.session_id USING ERRCODE = 'insufficient_privilege';
  END IF;
  SELECT array_agg(DISTINCT e.participant_id) INTO people
    FROM session s JOIN enrolment e ON e.course_id = s.course_id
   WHERE s.id = export_file_record_sheet.session_id AND e.status = 'enrolled';
  INSERT INTO export_file (participant_id, kind, host, path, sha256)
  SELECT person, 'sheet', host, path, export_file_record_sheet.sha256 FROM unnest(coalesce(people, '{}')) person;
  RETURN coalesce(cardinality(people), 0);
END $$;
GRANT EXECUTE ON FUNCTION export_file_record_sheet(bigint, text, text, text) TO beccaria_admin, beccaria_trainer;
CREATE INDEX certificate_run_export_idx ON certificate (run_id) WHERE run_id IS NOT NULL;

-- An erased person's record is frozen, and only erasure erases.
CREATE FUNCTION participant_guard() RETURNS trigger
  LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
  IF current_user = 'beccaria_eraser' THEN
    RETURN NEW;
  END IF;
  IF OLD.erased_at IS NOT NULL THEN
    RAISE EXCEPTION 'participant % was erased on request on %; the record does not change any more', OLD.id, OLD.erased_at::date
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF (NEW.erased_at, NEW.erasure_reason) IS DISTINCT FROM (OLD.erased_at, OLD.erasure_reason) THEN
    RAISE EXCEPTION 'a participant is erased through participant erase only' USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER participant_erased_only_by_erasure BEFORE UPDATE ON participant
  FOR EACH ROW EXECUTE FUNCTION participant_guard();
REVOKE INSERT, UPDATE ON participant FROM beccaria_admin;
GRANT INSERT (family_name, given_names, birth_date, email, municipality_ags, organisation, function, notes)
  ON participant TO beccaria_admin;
GRANT UPDATE (family_name, given_names, birth_date, email, municipality_ags, organisation, function, notes, updated_at)
  ON participant TO beccaria_admin;

-- What of an audit row's JSON may stay after its person is erased (as in 0007), without the
-- certificate's signature: like the register, the log keeps no signature that could confirm
-- guesses of the erased name and birth date.
CREATE OR REPLACE FUNCTION beccaria_scrub(doc jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN doc IS NULL THEN NULL ELSE
    coalesce((SELECT jsonb_object_agg(key, value) FROM jsonb_each(doc)
              WHERE jsonb_typeof(value) IN ('number', 'boolean', 'null')
                 OR key IN ('status', 'kind', 'scope', 'result', 'serial', 'pdf_sha256', 'key_id',
                            'erased_at', 'erasure_reason', 'municipality_ags')), '{}'::jsonb)
    || '{"personal_data_erased": true}'::jsonb END
$$;

-- Occurrences of a person's names and birth date in free text the office wrote about them
-- (a revocation reason, say) are replaced; the rest of the sentence stays.
CREATE FUNCTION beccaria_redact(doc text, needles text[]) RETURNS text
  LANGUAGE plpgsql IMMUTABLE SET search_path = public, pg_temp AS $$
DECLARE
  needle text;
BEGIN
  -- Longest first, so that a full name goes before its parts; each one as a whole word ("Anna",
  -- not the start of "Annahme"), in any case, its regular-expression characters escaped.
  FOR needle IN SELECT n FROM unnest(needles) n ORDER BY length(n) DESC, n LOOP
    doc := regexp_replace(doc,
      '(^|[^[:alnum:]])(' || regexp_replace(needle, '([.^$*+?()\[\]{}|\\])', '\\\1', 'g') || ')(?=[^[:alnum:]]|$)',
      '\1[gelöscht]', 'gi');
  END LOOP;
  RETURN doc;
END $$;

-- Where a person's files were written outside the database: each nightly run's export folder,
-- and the registered exports not yet removed. A certificate's file is known by its issued
-- SHA-256 (a registration cannot name another file's), an export for the right of access by
-- what was registered (its content is checked before it is deleted); sign-in sheets name others
-- too and are listed, not deleted.
CREATE FUNCTION participant_files(person bigint) RETURNS jsonb
  LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
  SELECT coalesce(jsonb_agg(x ORDER BY x->>'path'), '[]') FROM (
    SELECT jsonb_build_object('kind', 'certificate', 'host', r.host,
                              'path', r.export_directory || '/' || substr(c.serial, 4, 4) || '/' || c.serial || '.pdf',
                              'sha256', c.pdf_sha256, 'serial', c.serial) AS x
    FROM certificate c JOIN certificate_run r ON r.id = c.run_id
    WHERE c.participant_id = person AND r.export_directory IS NOT NULL
    UNION
    SELECT jsonb_build_object('kind', f.kind, 'host', f.host, 'path', f.path, 'sha256', coalesce(c.pdf_sha256, f.sha256),
                              'serial', c.serial, 'id', f.id)
    FROM export_file f LEFT JOIN certificate c ON c.id = f.certificate_id
    WHERE f.participant_id = person AND f.removed_at IS NULL
  ) files
$$;

DROP FUNCTION participant_erase(bigint, text);
CREATE FUNCTION participant_erase(person bigint, why text) RETURNS jsonb
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  subject participant%ROWTYPE;
  needles text[];
  ended jsonb;
  promoted jsonb;
  waiting_before bigint[];
  certificates integer;
  scrubbed integer;
  exports jsonb;
BEGIN
  IF btrim(coalesce(why, '')) = '' THEN
    RAISE EXCEPTION 'an erasure needs a reason' USING ERRCODE = 'check_violation', CONSTRAINT = 'participant_erasure_has_reason';
  END IF;
  SELECT * INTO subject FROM participant WHERE id = person FOR NO KEY UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'participant % does not exist', person USING ERRCODE = 'no_data_found';
  END IF;
  IF subject.erased_at IS NOT NULL THEN
    RAISE EXCEPTION 'participant % was already erased on %', person, subject.erased_at::date USING ERRCODE = 'check_violation',
      CONSTRAINT = 'participant_erased_once';
  END IF;
  -- What free text may name: every name the person had, each word of it, the birth date.
  WITH names AS (
    SELECT unnest(ARRAY[subject.family_name, subject.given_names, subject.given_names || ' ' || subject.family_name,
                        subject.family_name || ', ' || subject.given_names]
                  || ARRAY(SELECT unnest(ARRAY[c.old_family_name, c.old_given_names, c.old_given_names || ' ' || c.old_family_name])
                           FROM participant_name_change c WHERE c.participant_id = person)) AS n
  )
  SELECT array_agg(DISTINCT w) INTO needles FROM (
    SELECT n AS w FROM names
    UNION ALL SELECT unnest(regexp_split_to_array(n, '[[:space:],-]+')) FROM names
    UNION ALL SELECT to_char(subject.birth_date, f)
      FROM unnest(ARRAY['YYYY-MM-DD', 'DD.MM.YYYY', 'FMDD.FMMM.YYYY', 'DD.MM.YY', 'FMDD.FMMM.YY', 'DD/MM/YYYY', 'YYYYMMDD']) f
    UNION ALL SELECT subject.email
  ) words WHERE length(w) >= 2;
  -- The reason given for the erasure is kept (with the person's audit entries): not their name.
  why := beccaria_redact(why, needles);
  PERFORM set_config('beccaria.reason', why, true);

  -- Lock order (the header): cohorts next, by id and FOR NO KEY UPDATE (as enrolment,
  -- withdrawal and the run's course_end_finished take them; the run's certificates check their
  -- cohort with FOR KEY SHARE, which this does not block), then the due marker, which waits for
  -- a nightly run that claimed this person to commit (or makes it skip them).
  PERFORM 1 FROM course c
   WHERE c.status IN ('open', 'running')
     AND c.id IN (SELECT e.course_id FROM enrolment e WHERE e.participant_id = person AND e.status IN ('enrolled', 'waiting'))
   ORDER BY c.id FOR NO KEY UPDATE;
  DELETE FROM certificate_due WHERE participant_id = person;

  -- Enrolments in cohorts still open or running end (those of ended cohorts are history); a
  -- freed place goes to the first waiting person not erased (by the enrolment triggers of
  -- schema 0019, in the same statement): who moved up is told from who waited before.
  SELECT array_agg(w.id) INTO waiting_before FROM enrolment w
   WHERE w.status = 'waiting'
     AND w.course_id IN (SELECT e.course_id FROM enrolment e WHERE e.participant_id = person AND e.status = 'enrolled');
  WITH open_ones AS (
    SELECT e.id, e.course_id, e.status FROM enrolment e JOIN course c ON c.id = e.course_id
    WHERE e.participant_id = person AND e.status IN ('enrolled', 'waiting') AND c.status IN ('open', 'running')
    ORDER BY e.id FOR NO KEY UPDATE OF e
  ), closed AS (
    UPDATE enrolment e SET status = 'withdrawn', queue_number = NULL, ended_at = now(),
           end_reason = 'gelöscht (Löschung auf Antrag)'
    FROM open_ones WHERE e.id = open_ones.id
    RETURNING e.course_id, open_ones.status
  )
  SELECT coalesce(jsonb_agg(jsonb_build_object('course', c.code, 'course_id', c.id, 'was', closed.status) ORDER BY c.code), '[]')
    INTO ended FROM closed JOIN course c ON c.id = closed.course_id;
  SELECT coalesce(jsonb_agg(jsonb_build_object('course', c.code, 'participant', e.participant_id) ORDER BY c.code, e.enrolled_at), '[]')
    INTO promoted FROM enrolment e JOIN course c ON c.id = e.course_id
   WHERE e.id = ANY (coalesce(waiting_before, '{}')) AND e.status = 'enrolled';
  UPDATE enrolment SET end_reason = 'gelöscht (Löschung auf Antrag)'
   WHERE participant_id = person AND end_reason IS NOT NULL AND end_reason <> 'gelöscht (Löschung auf Antrag)';

  UPDATE participant SET family_name = 'Gelöscht', given_names = 'Person ' || id, birth_date = NULL, email = NULL,
         organisation = NULL, function = NULL, notes = NULL, erased_at = now(), erasure_reason = why, updated_at = now()
   WHERE id = person;
  DELETE FROM participant_name_change WHERE participant_id = person;
  UPDATE attendance SET correction_reason = NULL, note = NULL
   WHERE participant_id = person AND (correction_reason IS NOT NULL OR note IS NOT NULL);
  UPDATE assessment SET title = NULL, note = NULL WHERE participant_id = person AND (title IS NOT NULL OR note IS NOT NULL);

  -- Certificates: no PDF, no name, birth date or signed claim; serial, hash and key stay, and
  -- the signature's SHA-256 (the signature itself would confirm guessed names and birth dates).
  UPDATE certificate
     SET snapshot = (snapshot - 'birthDate') || jsonb_build_object('holderName', 'Auf Antrag gelöscht', 'qrPayload', ''),
         pdf = ''::bytea, holder_erased_at = now(),
         signature = NULL, signature_sha256 = encode(sha256(convert_to(signature, 'UTF8')), 'hex'),
         revocation_reason = beccaria_redact(revocation_reason, needles), reissue_reason = beccaria_redact(reissue_reason, needles)
   WHERE participant_id = person;
  GET DIAGNOSTICS certificates = ROW_COUNT;
  UPDATE certificate_status_event SET reason = beccaria_redact(reason, needles)
   WHERE certificate_id IN (SELECT id FROM certificate WHERE participant_id = person) AND reason <> beccaria_redact(reason, needles);
  -- Reopenings (schema 0019, which creates the table before any erasure can run this).
  UPDATE certificate_reopening SET reason = beccaria_redact(reason, needles)
   WHERE participant_id = person AND reason <> beccaria_redact(reason, needles);

  exports := participant_files(person);

  -- The audit log keeps what happened, not to whom: the person's rows lose their values (their
  -- SHA-256 kept for the chain), and every row of a transaction that touched them loses the
  -- names in its reason (a re-issue's "Namensänderung von …" was recorded on the counter's row
  -- too). An erasure record holds the SHA-256 of what is left of each row.
  WITH touched AS (
    SELECT DISTINCT b.xact FROM audit_log b WHERE b.participant_id = person
  ), scrubbed_rows AS (
    UPDATE audit_log a
       SET content_sha256 = audit_content_sha256(a.old_values, a.new_values, a.reason), scrubbed_at = clock_timestamp(),
           old_values = CASE WHEN a.participant_id = person THEN beccaria_scrub(a.old_values) ELSE a.old_values END,
           new_values = CASE WHEN a.participant_id = person THEN beccaria_scrub(a.new_values) ELSE a.new_values END,
           reason = CASE WHEN a.participant_id = person AND a.xact <> pg_current_xact_id() THEN NULL
                         ELSE beccaria_redact(a.reason, needles) END
     WHERE a.scrubbed_at IS NULL
       AND (a.participant_id = person
            OR (a.xact IN (SELECT xact FROM touched) AND beccaria_redact(a.reason, needles) IS DISTINCT FROM a.reason))
    RETURNING a.id, a.content_sha256 AS before, audit_content_sha256(a.old_values, a.new_values, a.reason) AS after
  )
  INSERT INTO audit_log (actor, reason, table_name, action, row_key, participant_id, old_values, new_values)
  SELECT beccaria_actor(), why, 'audit_log', 'UPDATE', jsonb_build_object('id', s.id), person,
         jsonb_build_object('content_sha256', encode(s.before, 'hex')), jsonb_build_object('content_sha256', encode(s.after, 'hex'))
  FROM scrubbed_rows s ORDER BY s.id;
  GET DIAGNOSTICS scrubbed = ROW_COUNT;

  RETURN jsonb_build_object('participant', person, 'ended_enrolments', ended, 'promoted', promoted,
                            'certificates', certificates, 'audit_rows_scrubbed', scrubbed, 'exports', exports);
END $$;

-- The right of access, as before (0007), with the person's audit entries for the auditor only:
-- the office does not read the audit log, through this function either.
CREATE OR REPLACE FUNCTION participant_export(person bigint) RETURNS jsonb
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
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
    'audit_log', CASE WHEN pg_has_role(session_user, 'beccaria_auditor', 'MEMBER')
                        OR pg_has_role(session_user, (SELECT d.datdba FROM pg_database d WHERE d.datname = current_database()), 'MEMBER')
                      THEN coalesce((SELECT jsonb_agg(to_jsonb(l) ORDER BY l.id) FROM audit_log l WHERE l.participant_id = p.id), '[]')
                      ELSE '"kept by the audit log; the auditor exports it"'::jsonb END,
    'exported_at', now())
  FROM participant p WHERE p.id = person
$$;

-- Trainers see their cohorts' enrolments, not why someone left (a reason can be about health).
DO $$
DECLARE
  columns text;
BEGIN
  SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) INTO columns FROM pg_attribute
   WHERE attrelid = 'enrolment'::regclass AND attnum > 0 AND NOT attisdropped AND attname <> 'end_reason';
  REVOKE SELECT ON enrolment FROM beccaria_trainer;
  EXECUTE format('GRANT SELECT (%s) ON enrolment TO beccaria_trainer', columns);
END $$;

-- What the eraser may touch: exactly what the function above does.
GRANT SELECT, UPDATE ON participant TO beccaria_eraser;
GRANT SELECT, DELETE ON participant_name_change TO beccaria_eraser;
GRANT SELECT, DELETE ON certificate_due TO beccaria_eraser;
GRANT SELECT, UPDATE (seats_taken) ON course TO beccaria_eraser;
GRANT SELECT, UPDATE (status, queue_number, ended_at, end_reason, enrolled_at) ON enrolment TO beccaria_eraser;
GRANT SELECT ON enrolment_module, session, programme_version TO beccaria_eraser;
GRANT SELECT, UPDATE (correction_reason, note) ON attendance TO beccaria_eraser;
GRANT SELECT, UPDATE (title, note) ON assessment TO beccaria_eraser;
GRANT SELECT, UPDATE (snapshot, pdf, holder_erased_at, revocation_reason, reissue_reason, signature, signature_sha256)
  ON certificate TO beccaria_eraser;
GRANT SELECT, UPDATE (reason) ON certificate_status_event TO beccaria_eraser;
GRANT SELECT ON certificate_run, export_file TO beccaria_eraser;
GRANT SELECT, UPDATE (old_values, new_values, reason, content_sha256, scrubbed_at) ON audit_log TO beccaria_eraser;
GRANT INSERT (actor, reason, table_name, action, row_key, participant_id, old_values, new_values) ON audit_log TO beccaria_eraser;
GRANT EXECUTE ON FUNCTION beccaria_fold(text), beccaria_scrub(jsonb), beccaria_redact(text, text[]), beccaria_actor(),
  beccaria_today(), audit_content_sha256(jsonb, jsonb, text), participant_files(bigint) TO beccaria_eraser;
GRANT EXECUTE ON FUNCTION participant_files(bigint) TO beccaria_admin;
CREATE POLICY erasure ON participant FOR ALL TO beccaria_eraser USING (true) WITH CHECK (true);
CREATE POLICY erasure ON enrolment FOR ALL TO beccaria_eraser USING (true) WITH CHECK (true);
CREATE POLICY erasure ON enrolment_module FOR SELECT TO beccaria_eraser USING (true);
CREATE POLICY erasure ON attendance FOR ALL TO beccaria_eraser USING (true) WITH CHECK (true);
CREATE POLICY erasure ON session FOR SELECT TO beccaria_eraser USING (true);
-- Granted before it is handed over (see 0015).
GRANT EXECUTE ON FUNCTION participant_erase(bigint, text) TO beccaria_admin;
SELECT beccaria_give_function('participant_erase(bigint, text)', 'beccaria_eraser');

-- Retention periods decide what `retention apply` destroys: the one row changes only by UPDATE,
-- with its time set here, and every change is in the audit log (a DELETE and re-INSERT would
-- have left no trace, and an old timestamp). The row's present state is logged once now, so
-- that `audit verify --all-tables` can compare it with its history.
CREATE FUNCTION retention_policy_guard() RETURNS trigger
  LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
  IF TG_OP <> 'UPDATE' THEN
    RAISE EXCEPTION 'the retention periods are one row that is only changed (retention set); % refused', TG_OP
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  NEW.updated_at := now();
  RETURN NEW;
END $$;
CREATE TRIGGER retention_policy_one_row BEFORE INSERT OR UPDATE OR DELETE ON retention_policy
  FOR EACH ROW EXECUTE FUNCTION retention_policy_guard();
CREATE TRIGGER no_truncate BEFORE TRUNCATE ON retention_policy FOR EACH STATEMENT EXECUTE FUNCTION beccaria_refuse_truncate();
CREATE TRIGGER audit_insert AFTER INSERT ON retention_policy REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION audit_statement('id');
CREATE TRIGGER audit_delete AFTER DELETE ON retention_policy REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION audit_statement('id');
UPDATE retention_policy SET updated_at = now();
