-- Mail: a transactional outbox for the notices the programme office sends.
--
-- * A message row is written by a trigger in the same transaction as the event that causes it: a
--   certificate issued or re-issued, a place given from the waiting list, a session moved or
--   cancelled; reminders when a session comes within the programme's `mail.reminder_days`
--   (mail_queue_reminders, called by `beccaria mail send`). Whichever client causes the event —
--   the CLI, the nightly run, psql — the message is there exactly when the event committed.
-- * `cause` is unique: an event can never produce a second message by accident. `mail resend`
--   makes a new row on purpose, whose cause names the original.
-- * Texts come from the newest loaded version of the message's programme (`mail` in its
--   definition); a programme whose newest version has no `mail` section sends nothing. Subject
--   and body are rendered here, when the message is queued, so that what was sent is what the
--   office sees in `mail show` (until the body is purged after the retention period).
-- * beccaria_mailer (`mail send`) reads no table: it claims due messages through mail_claim
--   (FOR UPDATE SKIP LOCKED), and records each outcome through mail_record. A run registers a
--   claimant with a secret token (only its hash is stored) and keeps the claimant's row locked
--   from a session of its own for as long as it runs: only the token's holder records outcomes,
--   and a message left 'sending' by a killed process (whose lock went with its session) is
--   taken up again by the next claim, with the same Message-ID. Row locks on mail_claimant can
--   be taken only through these functions, so no other login can hold or stall a claim.
-- * The queue is derived from audited events and is not itself audited: its bodies would
--   otherwise spread into the audit log, which erasure and retention could not reach as easily.
--   What the office decides about a message (resend, cancel) is kept on the row (requested_by).

DO $$
BEGIN
  -- Made once by a DBA (scripts/dba-roles.sql), or here when the owner may create roles.
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'beccaria_mailer') THEN
    BEGIN
      CREATE ROLE beccaria_mailer NOLOGIN;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN
      NULL; -- made concurrently
    END;
  END IF;
END $$;
GRANT USAGE ON SCHEMA public TO beccaria_mailer;
GRANT SELECT ON schema_migration TO beccaria_mailer;

-- An address a message may be sent to: dot-atom local part and domain (RFC 5322 § 3.4.1 without
-- quoted strings, comments or literals), at most 64 + 1 + 253 characters. Non-ASCII letters are
-- allowed (RFC 6531); whitespace, control characters and the specials that separate addresses
-- in a header (<>()[],;:"\) are not, so an address can never become two or inject a header.
CREATE FUNCTION beccaria_mail_address_ok(address text) RETURNS boolean
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE SET search_path = public, pg_temp AS $$
  SELECT length(address) <= 254
     AND length(split_part(address, '@', 1)) BETWEEN 1 AND 64
     AND address ~ '^[^][@[:space:][:cntrl:]<>(),;:"\\.]+(\.[^][@[:space:][:cntrl:]<>(),;:"\\.]+)*@[^][@[:space:][:cntrl:]<>(),;:"\\._-][^][@[:space:][:cntrl:]<>(),;:"\\.]*(\.[^][@[:space:][:cntrl:]<>(),;:"\\._-][^][@[:space:][:cntrl:]<>(),;:"\\.]*)+$'
$$;

-- New and changed addresses of people must be mailable; addresses stored before stay as they are
-- (NOT VALID) and are refused by name when a message to them is queued.
ALTER TABLE participant ADD CONSTRAINT participant_email_mailable CHECK (beccaria_mail_address_ok(email)) NOT VALID;
ALTER TABLE trainer ADD CONSTRAINT trainer_email_mailable CHECK (beccaria_mail_address_ok(email)) NOT VALID;

CREATE TABLE mail_message (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- What caused it: 'certificate:BQ-2027-000001', 'offer:<enrolment>', 'offer-office:<enrolment>',
  -- 'reminder:<session>.<sequence>:p<participant>|t<trainer>', 'change:<session>.<sequence>:…',
  -- 'cancellation:<session>.<sequence>:…', 'resend:<message>.<n>'.
  cause text NOT NULL CONSTRAINT mail_message_cause_unique UNIQUE
    CONSTRAINT mail_message_cause_format CHECK (cause ~ '^[a-z-]+:[A-Za-z0-9.:-]+$'),
  kind text NOT NULL
    CONSTRAINT mail_message_kind_known CHECK (kind IN ('certificate', 'reissue', 'offer', 'reminder', 'change', 'cancellation')),
  programme_id bigint NOT NULL REFERENCES programme (id),
  participant_id bigint REFERENCES participant (id),
  trainer_id bigint REFERENCES trainer (id),
  certificate_id bigint REFERENCES certificate (id),
  -- No foreign key: a cancelled session is deleted, its messages stay.
  session_id bigint,
  -- NULL once the person is erased.
  recipient text CONSTRAINT mail_message_recipient_mailable CHECK (beccaria_mail_address_ok(recipient)),
  -- Subject and body as rendered when queued; the body is purged after the retention period.
  subject text CONSTRAINT mail_message_subject_one_line CHECK (subject !~ '[[:cntrl:]]'),
  body text,
  -- The event of an iCalendar attachment (RFC 5545), written as a file when sent.
  calendar jsonb CONSTRAINT mail_message_calendar_object CHECK (jsonb_typeof(calendar) = 'object'),
  attach_certificate boolean NOT NULL DEFAULT false,
  -- Set at the first claim and kept for every attempt: a rare second delivery is recognisable.
  -- Its random part is also in a per-message return address, so bounces cannot be forged by number.
  message_id text CONSTRAINT mail_message_message_id_unique UNIQUE
    CONSTRAINT mail_message_message_id_format CHECK (message_id ~ '^<[A-Za-z0-9.-]+@[A-Za-z0-9.-]+>$'),
  status text NOT NULL DEFAULT 'queued'
    CONSTRAINT mail_message_status_known
      CHECK (status IN ('queued', 'sending', 'deferred', 'sent', 'failed', 'bounced', 'cancelled', 'suppressed')),
  attempts integer NOT NULL DEFAULT 0 CONSTRAINT mail_message_attempts_count CHECK (attempts >= 0),
  queued_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  next_attempt_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  first_attempt_at timestamptz,
  last_attempt_at timestamptz,
  -- The envelope sender it was sent with (where its bounces go).
  return_path text CONSTRAINT mail_message_return_path_mailable CHECK (beccaria_mail_address_ok(return_path)),
  -- The claimant (mail_claimant.key) whose run is sending it.
  claimed_by integer,
  -- The server's last answer (or the connection's error), as the office reads it.
  last_reply text,
  finished_at timestamptz,
  bounced_at timestamptz,
  purged_at timestamptz,
  resend_of bigint REFERENCES mail_message (id),
  requested_by text CONSTRAINT mail_message_requested_by_inert CHECK (beccaria_inert(requested_by)),
  CONSTRAINT mail_message_one_person CHECK (num_nonnulls(participant_id, trainer_id) <= 1),
  CONSTRAINT mail_message_sending_claimed CHECK ((status = 'sending') = (claimed_by IS NOT NULL)),
  CONSTRAINT mail_message_finished CHECK ((status IN ('sent', 'failed', 'bounced', 'cancelled', 'suppressed')) = (finished_at IS NOT NULL)),
  CONSTRAINT mail_message_has_recipient CHECK (recipient IS NOT NULL OR status IN ('cancelled', 'sent', 'failed', 'bounced', 'suppressed'))
);
-- Stored text is inert (schema 0018); a body keeps its line breaks and nothing else of the kind.
CREATE FUNCTION beccaria_inert_lines(value text) RETURNS boolean
  LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = public, pg_temp AS $$
  SELECT beccaria_inert(replace($1, E'\n', ' '))
$$;
ALTER TABLE mail_message
  ADD CONSTRAINT mail_message_cause_inert CHECK (beccaria_inert(cause)),
  ADD CONSTRAINT mail_message_kind_inert CHECK (beccaria_inert(kind)),
  ADD CONSTRAINT mail_message_status_inert CHECK (beccaria_inert(status)),
  ADD CONSTRAINT mail_message_recipient_inert CHECK (beccaria_inert(recipient)),
  ADD CONSTRAINT mail_message_subject_inert CHECK (beccaria_inert(subject)),
  ADD CONSTRAINT mail_message_body_inert CHECK (beccaria_inert_lines(body)),
  ADD CONSTRAINT mail_message_message_id_inert CHECK (beccaria_inert(message_id)),
  ADD CONSTRAINT mail_message_last_reply_inert CHECK (beccaria_inert(last_reply)),
  ADD CONSTRAINT mail_message_return_path_inert CHECK (beccaria_inert(return_path));

CREATE INDEX mail_message_due_idx ON mail_message (next_attempt_at, id) WHERE status IN ('queued', 'deferred');
CREATE INDEX mail_message_sending_idx ON mail_message (claimed_by) WHERE status = 'sending';
CREATE INDEX mail_message_participant_idx ON mail_message (participant_id);
CREATE INDEX mail_message_message_id_idx ON mail_message (lower(message_id));
CREATE INDEX mail_message_finished_idx ON mail_message (finished_at) WHERE purged_at IS NULL AND finished_at IS NOT NULL;

-- Addresses that must not be mailed again: a permanent address error (5.1.x) on sending or in a
-- bounce. The office removes an entry when the address was corrected on the recipient's side.
CREATE TABLE mail_suppression (
  -- The audit log's key of the row: not the address, which an erasure must be able to scrub.
  id bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  address_key text PRIMARY KEY,
  address text NOT NULL,
  -- Whose address it was (NULL for a trainer's or the office's): the audit entries carry it, so
  -- that the person's erasure scrubs them.
  participant_id bigint REFERENCES participant (id),
  reason text NOT NULL CONSTRAINT mail_suppression_reason_inert CHECK (beccaria_inert(reason)),
  message_id bigint REFERENCES mail_message (id),
  created_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE mail_suppression
  ADD CONSTRAINT mail_suppression_address_key_inert CHECK (beccaria_inert(address_key)),
  ADD CONSTRAINT mail_suppression_address_inert CHECK (beccaria_inert(address)),
  ADD CONSTRAINT mail_suppression_address_key_lower CHECK (address_key = lower(address));
CREATE TRIGGER audit_insert AFTER INSERT ON mail_suppression REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_statement('id');
CREATE TRIGGER audit_update AFTER UPDATE ON mail_suppression REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_statement('id');
CREATE TRIGGER audit_delete AFTER DELETE ON mail_suppression REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_statement('id');

-- The calendar SEQUENCE of each session (RFC 5545 § 3.8.7.4): raised by every move, so that a
-- calendar replaces the event it holds under the same UID. Derived, not audited (the session's
-- own changes are).
CREATE TABLE mail_session_calendar (
  session_id bigint PRIMARY KEY,
  sequence integer NOT NULL CHECK (sequence >= 0)
);

-- Runs of `mail send` that may hold claims: the SHA-256 of each run's secret token.
CREATE TABLE mail_claimant (
  key integer GENERATED ALWAYS AS IDENTITY (CYCLE) PRIMARY KEY,
  token_sha256 bytea NOT NULL CHECK (octet_length(token_sha256) = 32),
  started_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- The `mail` section of the newest loaded version of a programme; NULL when it has none.
CREATE FUNCTION mail_settings(programme bigint) RETURNS jsonb
  LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
  SELECT v.definition->'mail' FROM programme_version v WHERE v.programme_id = programme ORDER BY v.version DESC LIMIT 1
$$;

-- A template with its {{placeholders}} replaced by `vars`, in one pass (a value that itself
-- looks like a placeholder is not replaced again). An unknown placeholder is an error: the
-- loader refuses such a definition, so this guards definitions written by other means.
CREATE FUNCTION mail_fill(template text, vars jsonb) RETURNS text
  LANGUAGE plpgsql IMMUTABLE SET search_path = public, pg_temp AS $$
DECLARE
  pattern constant text := '\{\{[[:space:]]*([a-z_]+)[[:space:]]*\}\}';
  -- Two regular-expression passes whatever the number of placeholders: the text between them,
  -- and their names.
  parts text[] := regexp_split_to_array(template, pattern);
  names text[] := ARRAY(SELECT m[1] FROM regexp_matches(template, pattern, 'g') m);
  result text := parts[1];
BEGIN
  FOR i IN 1..coalesce(array_length(names, 1), 0) LOOP
    IF NOT vars ? names[i] THEN
      RAISE EXCEPTION 'the mail template uses the unknown placeholder {{%}}', names[i]
        USING ERRCODE = 'check_violation', CONSTRAINT = 'mail_template_placeholders';
    END IF;
    result := result || coalesce(vars->>names[i], '') || parts[i + 1];
  END LOOP;
  RETURN result;
END $$;

-- German dates and times as the texts print them.
CREATE FUNCTION mail_date(day date) RETURNS text
  LANGUAGE sql IMMUTABLE STRICT SET search_path = public, pg_temp AS $$
  SELECT (ARRAY['Montag', 'Dienstag', 'Mittwoch', 'Donnerstag', 'Freitag', 'Samstag', 'Sonntag'])[extract(isodow FROM day)::integer]
         || ', ' || to_char(day, 'DD.MM.YYYY')
$$;

-- Queues one message, rendered from the programme's `mail` texts; nothing when the programme has
-- no `mail` section or the kind no template, or the address is missing. An address that cannot be
-- mailed (stored before the rule existed) is not queued: the message is recorded as failed with
-- a sentence naming the person, and a warning — the event itself (a certificate issued, a place
-- given) must not fail because of an address. `cause` collisions are ignored: the event was told.
-- A copy for the office (`copy_heading`: who the original went to) says so in its subject and
-- first line; it is about the person as much as the original, whose erasure removes both.
CREATE FUNCTION mail_queue(cause text, kind text, programme bigint, person bigint, teacher bigint, address text,
                           vars jsonb, certificate bigint DEFAULT NULL, session bigint DEFAULT NULL,
                           calendar jsonb DEFAULT NULL, copy_heading text DEFAULT NULL) RETURNS bigint
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  settings jsonb := mail_settings(programme);
  template jsonb := settings->'templates'->kind;
  subject text;
  body text;
  who text;
  queued bigint;
BEGIN
  -- The event was told already (a reminder looked for again, a trigger fired twice).
  IF template IS NULL OR address IS NULL OR EXISTS (SELECT 1 FROM mail_message m WHERE m.cause = mail_queue.cause) THEN
    RETURN NULL;
  END IF;
  subject := mail_fill(template->>'subject', vars);
  body := mail_fill(template->>'body', vars);
  IF copy_heading IS NOT NULL THEN
    subject := 'Kopie: ' || subject;
    body := copy_heading || E'\n\n' || body;
  END IF;
  IF NOT beccaria_mail_address_ok(address) THEN
    who := CASE WHEN person IS NOT NULL
                THEN (SELECT format('participant %s (%s %s)', p.id, p.given_names, p.family_name) FROM participant p WHERE p.id = person)
                ELSE (SELECT format('trainer %s (%s)', t.id, t.name) FROM trainer t WHERE t.id = teacher) END;
    who := beccaria_inert_line(format('not queued: %s has the e-mail address "%s", which cannot be mailed; correct it, then mail resend',
                                      coalesce(who, 'the office copy'), address));
    INSERT INTO mail_message (cause, kind, programme_id, participant_id, trainer_id, certificate_id, session_id, subject, body,
                              calendar, attach_certificate, status, finished_at, last_reply)
    VALUES (cause, kind, programme, person, teacher, certificate, session, subject, body, calendar,
            kind IN ('certificate', 'reissue'), 'failed', clock_timestamp(), who)
    ON CONFLICT ON CONSTRAINT mail_message_cause_unique DO NOTHING
    RETURNING id INTO queued;
    RETURN queued;
  END IF;
  INSERT INTO mail_message (cause, kind, programme_id, participant_id, trainer_id, certificate_id, session_id, recipient,
                            subject, body, calendar, attach_certificate)
  VALUES (cause, kind, programme, person, teacher, certificate, session, address, subject, body, calendar,
          kind IN ('certificate', 'reissue') AND coalesce((settings->>'attachCertificate')::boolean, true))
  ON CONFLICT ON CONSTRAINT mail_message_cause_unique DO NOTHING
  RETURNING id INTO queued;
  RETURN queued;
END $$;

-- Placeholders every text knows, of a participant or a trainer.
CREATE FUNCTION mail_person_vars(person bigint, teacher bigint, programme bigint) RETURNS jsonb
  LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
  SELECT jsonb_build_object(
           'vorname', coalesce(p.given_names, ''), 'nachname', coalesce(p.family_name, t.name, ''),
           'name', coalesce(p.given_names || ' ' || p.family_name, t.name, ''),
           'programm', coalesce(v.definition->>'title', ''), 'traeger', coalesce(v.definition->'issuer'->>'name', ''))
  FROM (SELECT 1) one
  LEFT JOIN participant p ON p.id = person
  LEFT JOIN trainer t ON t.id = teacher
  LEFT JOIN LATERAL (SELECT definition FROM programme_version WHERE programme_id = programme ORDER BY version DESC LIMIT 1) v ON true
$$;

-- Certificates: one message to the holder per certificate issued (its serial is the cause).
CREATE FUNCTION mail_certificates_issued() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  refused integer;
BEGIN
  -- One statement for the nightly run's whole batch: the programme's texts are looked up once
  -- per programme, each certificate costs the filling of its subject and body and a row.
  WITH texts AS (
    SELECT DISTINCT ON (v.programme_id) v.programme_id, v.definition->'mail' AS settings,
           v.definition->>'title' AS title, v.definition->'issuer'->>'name' AS issuer
    FROM programme_version v WHERE v.programme_id IN (SELECT DISTINCT programme_id FROM issued)
    ORDER BY v.programme_id, v.version DESC
  ), messages AS (
    SELECT c.id, c.serial, c.programme_id, c.participant_id, p.email, t.settings,
           CASE WHEN c.supersedes IS NULL THEN 'certificate' ELSE 'reissue' END AS kind,
           jsonb_build_object(
             'vorname', p.given_names, 'nachname', p.family_name, 'name', p.given_names || ' ' || p.family_name,
             'programm', coalesce(t.title, ''), 'traeger', coalesce(t.issuer, ''),
             'dokument', CASE c.kind WHEN 'zertifikat' THEN 'Zertifikat' ELSE 'Teilnahmebescheinigung' END,
             'ihr_dokument', CASE c.kind WHEN 'zertifikat' THEN 'Ihr Zertifikat'
                             ELSE 'Ihre Teilnahmebescheinigung für Modul ' || c.module_number || ' – ' || m.title END,
             'nummer', c.serial,
             'modul', coalesce(c.module_number || ' – ' || m.title, ''),
             'abschluss', to_char(c.completed_on, 'DD.MM.YYYY'),
             'pruefadresse', coalesce(v.definition->'documents'->>'verificationURL', '') || '?nr=' || c.serial,
             'ersetzt', coalesce(replaced.serial, '')) AS vars
    FROM issued c
    JOIN texts t ON t.programme_id = c.programme_id AND t.settings IS NOT NULL
    JOIN participant p ON p.id = c.participant_id AND p.erased_at IS NULL AND p.email IS NOT NULL
    JOIN programme_version v ON v.id = c.programme_version_id
    LEFT JOIN programme_module m ON m.programme_version_id = c.programme_version_id AND m.number = c.module_number
    LEFT JOIN certificate replaced ON replaced.id = c.supersedes
  ), mailable AS (
    INSERT INTO mail_message (cause, kind, programme_id, participant_id, certificate_id, recipient, subject, body,
                              attach_certificate)
    SELECT 'certificate:' || x.serial, x.kind, x.programme_id, x.participant_id, x.id, x.email,
           mail_fill(x.settings->'templates'->x.kind->>'subject', x.vars), mail_fill(x.settings->'templates'->x.kind->>'body', x.vars),
           coalesce((x.settings->>'attachCertificate')::boolean, true)
    FROM messages x
    WHERE x.settings->'templates'->x.kind IS NOT NULL AND beccaria_mail_address_ok(x.email)
    ORDER BY x.id
    ON CONFLICT ON CONSTRAINT mail_message_cause_unique DO NOTHING
  )
  -- An address stored before the address rule: recorded as failed, naming the person (mail_queue).
  SELECT count(mail_queue('certificate:' || x.serial, x.kind, x.programme_id, x.participant_id, NULL, x.email, x.vars, x.id))
    INTO STRICT refused
  FROM messages x WHERE x.settings->'templates'->x.kind IS NOT NULL AND NOT beccaria_mail_address_ok(x.email);
  RETURN NULL;
END $$;
CREATE TRIGGER mail_certificates_issued AFTER INSERT ON certificate REFERENCING NEW TABLE AS issued
  FOR EACH STATEMENT EXECUTE FUNCTION mail_certificates_issued();

-- A place given from the waiting list: to the person, and a copy to the office's address
-- (`mail.office`), each once per enrolment.
CREATE FUNCTION mail_place_offered() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  c course%ROWTYPE;
  programme bigint;
  vars jsonb;
BEGIN
  SELECT * INTO c FROM course WHERE id = NEW.course_id;
  SELECT v.programme_id INTO programme FROM programme_version v WHERE v.id = c.programme_version_id;
  vars := mail_person_vars(NEW.participant_id, NULL, programme) || jsonb_build_object(
    'durchgang', c.code, 'durchgang_titel', c.title, 'ort', coalesce(c.venue, 'wird noch bekannt gegeben'),
    'beginn', coalesce(to_char(c.starts_on, 'DD.MM.YYYY'), 'wird noch bekannt gegeben'));
  PERFORM mail_queue('offer:' || NEW.id, 'offer', programme, NEW.participant_id, NULL,
                     (SELECT p.email FROM participant p WHERE p.id = NEW.participant_id AND p.erased_at IS NULL), vars);
  PERFORM mail_queue('offer-office:' || NEW.id, 'offer', programme, NEW.participant_id, NULL, mail_settings(programme)->>'office',
                     vars, copy_heading => (SELECT format('Kopie der Nachricht an Teilnehmer/in %s, %s %s <%s>, Durchgang %s:', p.id,
                                                            p.given_names, p.family_name, coalesce(p.email, 'ohne E-Mail-Adresse'),
                                                            c.code)
                                            FROM participant p WHERE p.id = NEW.participant_id));
  RETURN NULL;
END $$;
CREATE TRIGGER mail_place_offered AFTER UPDATE OF status ON enrolment
  FOR EACH ROW WHEN (OLD.status = 'waiting' AND NEW.status = 'enrolled') EXECUTE FUNCTION mail_place_offered();

-- Who hears about a session: the participants enrolled for its module, and its trainers.
CREATE FUNCTION mail_session_recipients(session bigint, course bigint, module integer)
  RETURNS TABLE (participant_id bigint, trainer_id bigint, address text, tag text)
  LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
  SELECT p.id, NULL::bigint, p.email, 'p' || p.id
  FROM enrolment e JOIN participant p ON p.id = e.participant_id
  WHERE e.course_id = course AND e.status = 'enrolled' AND p.erased_at IS NULL AND p.email IS NOT NULL
    AND (e.scope = 'programme'
         OR EXISTS (SELECT 1 FROM enrolment_module em WHERE em.enrolment_id = e.id AND em.module_number = module))
  UNION ALL
  SELECT NULL, t.id, t.email, 't' || t.id
  FROM session_trainer st JOIN trainer t ON t.id = st.trainer_id WHERE st.session_id = session
$$;

-- The placeholders and calendar event of a session as it is (or was, for a cancellation).
CREATE FUNCTION mail_session_vars(s session, before session DEFAULT NULL) RETURNS jsonb
  LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
  SELECT jsonb_build_object(
    'durchgang', c.code, 'durchgang_titel', c.title, 'modul', s.module_number || ' – ' || m.title,
    'datum', mail_date(s.day), 'uhrzeit', to_char(s.starts_at, 'HH24:MI') || '–' || to_char(s.ends_at, 'HH24:MI') || ' Uhr',
    'ort', coalesce(nullif(concat_ws(', ', s.location, c.venue), ''), 'wird noch bekannt gegeben'), 'ue', s.ue::text,
    'bisher', CASE WHEN before IS NULL THEN ''
                   ELSE mail_date(before.day) || ', ' || to_char(before.starts_at, 'HH24:MI') || '–'
                        || to_char(before.ends_at, 'HH24:MI') || ' Uhr, '
                        || coalesce(nullif(concat_ws(', ', before.location, c.venue), ''), 'Ort offen') END)
  FROM course c JOIN programme_module m ON m.programme_version_id = s.programme_version_id AND m.number = s.module_number
  WHERE c.id = s.course_id
$$;

CREATE FUNCTION mail_session_event(s session, sequence integer, cancelled boolean) RETURNS jsonb
  LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
  SELECT jsonb_build_object(
    'uid', 'session-' || s.id || '@' || coalesce(substring(v.definition->'documents'->>'verificationURL' FROM '^https?://([^/:]+)'), 'beccaria'),
    'sequence', sequence, 'start', to_char(s.day + s.starts_at, 'YYYY-MM-DD"T"HH24:MI:SS'),
    'end', to_char(s.day + s.ends_at, 'YYYY-MM-DD"T"HH24:MI:SS'), 'timeZone', 'Europe/Berlin',
    'summary', (v.definition->>'title') || ': Modul ' || s.module_number || ' – ' || m.title || ' (' || c.code || ')',
    'location', concat_ws(', ', s.location, c.venue),
    'organizerName', v.definition->'issuer'->>'name',
    'cancelled', cancelled)
  FROM course c JOIN programme_version v ON v.id = s.programme_version_id
  JOIN programme_module m ON m.programme_version_id = s.programme_version_id AND m.number = s.module_number
  WHERE c.id = s.course_id
$$;

-- Tells everyone who hears about session `s` that it moved (`before`: as it was) or was cancelled,
-- with its event under the same UID and the next SEQUENCE.
CREATE FUNCTION mail_session_told(s session, before session, kind text) RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  programme bigint := (SELECT programme_id FROM programme_version WHERE id = s.programme_version_id);
  next_sequence integer;
  vars jsonb;
  event jsonb;
BEGIN
  IF mail_settings(programme) IS NULL THEN
    RETURN;
  END IF;
  -- What was queued about the session and not yet sent is no longer true: the new notice
  -- replaces it (for the people who still hear about the session).
  UPDATE mail_message m SET status = 'cancelled', finished_at = clock_timestamp(),
         last_reply = 'replaced by a later notice about the session'
   WHERE m.session_id = s.id AND m.kind IN ('reminder', 'change') AND m.status IN ('queued', 'deferred');
  INSERT INTO mail_session_calendar AS k (session_id, sequence) VALUES (s.id, 1)
  ON CONFLICT (session_id) DO UPDATE SET sequence = k.sequence + 1
  RETURNING sequence INTO next_sequence;
  vars := mail_session_vars(s, before);
  event := mail_session_event(s, next_sequence, kind = 'cancellation');
  PERFORM mail_queue(kind || ':' || s.id || '.' || next_sequence || ':' || r.tag, kind, programme, r.participant_id,
                     r.trainer_id, r.address, mail_person_vars(r.participant_id, r.trainer_id, programme) || vars, NULL, s.id,
                     event)
  FROM mail_session_recipients(s.id, s.course_id, s.module_number) r;
END $$;

-- A session moved (day, times, place), from today on.
CREATE FUNCTION mail_session_moved() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  IF greatest(OLD.day, NEW.day) >= beccaria_today() THEN
    PERFORM mail_session_told(NEW, OLD, 'change');
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER mail_session_moved AFTER UPDATE OF day, starts_at, ends_at, location ON session
  FOR EACH ROW WHEN ((OLD.day, OLD.starts_at, OLD.ends_at, OLD.location) IS DISTINCT FROM (NEW.day, NEW.starts_at, NEW.ends_at, NEW.location))
  EXECUTE FUNCTION mail_session_moved();

-- A session cancelled (deleted), from today on. Before the delete, so that its trainers (ON
-- DELETE CASCADE) are still there to be told.
CREATE FUNCTION mail_session_cancelled() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  IF OLD.day >= beccaria_today() THEN
    PERFORM mail_session_told(OLD, NULL, 'cancellation');
  END IF;
  RETURN OLD;
END $$;
CREATE TRIGGER mail_session_cancelled BEFORE DELETE ON session
  FOR EACH ROW EXECUTE FUNCTION mail_session_cancelled();

-- Reminders: for every session within its programme's `mail.reminder_days` (and not begun), one
-- message per person who hears about it and per SEQUENCE: a session moved after its reminder is
-- reminded of again, unless the person was sent the change itself (which carries the same event).
-- Returns how many were queued.
CREATE FUNCTION mail_queue_reminders() RETURNS integer
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  queued integer := 0;
  row record;
BEGIN
  FOR row IN
    SELECT s AS session, v.programme_id, coalesce(k.sequence, 0) AS sequence, r.*
    FROM session s
    JOIN programme_version v ON v.id = s.programme_version_id
    JOIN course c ON c.id = s.course_id AND c.status IN ('open', 'running')
    LEFT JOIN mail_session_calendar k ON k.session_id = s.id
    CROSS JOIN LATERAL mail_session_recipients(s.id, s.course_id, s.module_number) r
    WHERE s.day >= beccaria_today()
      AND (s.day + s.starts_at) > (now() AT TIME ZONE 'Europe/Berlin')
      AND s.day <= beccaria_today() + coalesce((mail_settings(v.programme_id)->>'reminderDays')::integer, -1)
      AND NOT EXISTS (SELECT 1 FROM mail_message x
                      WHERE x.cause IN ('reminder:' || s.id || '.' || coalesce(k.sequence, 0) || ':' || r.tag,
                                        'change:' || s.id || '.' || coalesce(k.sequence, 0) || ':' || r.tag))
    ORDER BY s.day, s.starts_at, s.id
  LOOP
    IF mail_queue('reminder:' || (row.session).id || '.' || row.sequence || ':' || row.tag, 'reminder', row.programme_id,
                  row.participant_id, row.trainer_id, row.address,
                  mail_person_vars(row.participant_id, row.trainer_id, row.programme_id) || mail_session_vars(row.session),
                  NULL, (row.session).id, mail_session_event(row.session, row.sequence, false)) IS NOT NULL THEN
      queued := queued + 1;
    END IF;
  END LOOP;
  RETURN queued;
END $$;

-- Erasure: the person's messages lose address, subject, body and event; those not yet sent are
-- cancelled. Runs inside participant_erase (which sets erased_at), as its owner.
CREATE FUNCTION mail_erase_person() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  UPDATE mail_message
     SET recipient = NULL, subject = NULL, body = NULL, calendar = NULL, purged_at = coalesce(purged_at, now()),
         last_reply = NULL,
         status = CASE WHEN status IN ('queued', 'deferred', 'sending') THEN 'cancelled' ELSE status END,
         claimed_by = NULL,
         finished_at = coalesce(finished_at, now())
   WHERE participant_id = NEW.id;
  DELETE FROM mail_suppression s
   WHERE (s.participant_id = NEW.id OR s.address_key = lower(OLD.email))
     AND NOT EXISTS (SELECT 1 FROM trainer t WHERE lower(t.email) = s.address_key);
  RETURN NULL;
END $$;
CREATE TRIGGER mail_erase_person AFTER UPDATE OF erased_at ON participant
  FOR EACH ROW WHEN (OLD.erased_at IS NULL AND NEW.erased_at IS NOT NULL) EXECUTE FUNCTION mail_erase_person();

-- The mailer's door ---------------------------------------------------------------------------------

-- A claimant for one run of `mail send`: a key and a secret token (244 random bits), of which only
-- the SHA-256 is kept. Claimants of runs long gone (unlocked, nothing of theirs sending) go.
CREATE FUNCTION mail_claim_key(OUT key integer, OUT token text)
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  token := replace(gen_random_uuid()::text, '-', '') || replace(gen_random_uuid()::text, '-', '');
  INSERT INTO mail_claimant (token_sha256) VALUES (sha256(convert_to(token, 'UTF8'))) RETURNING mail_claimant.key INTO key;
  DELETE FROM mail_claimant c
   WHERE c.key IN (SELECT k.key FROM mail_claimant k
                   WHERE k.started_at < clock_timestamp() - interval '1 hour'
                     AND NOT EXISTS (SELECT 1 FROM mail_message m WHERE m.status = 'sending' AND m.claimed_by = k.key)
                   FOR UPDATE SKIP LOCKED);
END $$;

-- Whether `token` is claimant `key`'s.
CREATE FUNCTION mail_claimant_ok(key integer, token text) RETURNS boolean
  LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
  SELECT EXISTS (SELECT 1 FROM mail_claimant c WHERE c.key = $1 AND c.token_sha256 = sha256(convert_to($2, 'UTF8')))
$$;

-- Holds claimant `key` until the caller's transaction ends: `mail send` calls it from a session
-- of its own and keeps that transaction open while it runs. However the run ends — finished,
-- killed, its connection cut — its claims are then free to be taken up again.
CREATE FUNCTION mail_claim_hold(key integer, token text) RETURNS void
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  IF NOT coalesce(mail_claimant_ok(key, token), false) THEN
    RAISE EXCEPTION 'mail_claim_hold: claimant % does not exist or the token is not its', key USING ERRCODE = 'insufficient_privilege';
  END IF;
  PERFORM 1 FROM mail_claimant c WHERE c.key = mail_claim_hold.key FOR UPDATE NOWAIT;
END $$;

-- Claims up to `batch` due messages for claimant `key` (its token proves the caller is it, and it
-- must be held by mail_claim_hold): queued ones, deferred ones whose time has come, deferred
-- ones last tried before `retry_before` (`mail send --retry-deferred`: each once per run), and
-- ones left 'sending' by a run whose claimant is no longer held. A message to a suppressed
-- address is finished as 'suppressed' instead. Returns what a sender needs, the PDF included.
CREATE FUNCTION mail_claim(key integer, token text, batch integer, retry_before timestamptz, domain text)
  RETURNS TABLE (id bigint, kind text, status text, recipient text, recipient_name text, subject text, body text,
                 calendar jsonb, attachment bytea, attachment_name text, message_id text, attempts integer,
                 first_attempt_at timestamptz, queued_at timestamptz)
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  orphan integer;
BEGIN
  IF NOT coalesce(mail_claimant_ok(key, token), false) THEN
    RAISE EXCEPTION 'mail_claim: claimant % does not exist or the token is not its', key USING ERRCODE = 'insufficient_privilege';
  END IF;
  -- Locked by nobody means held by nobody: claims made now would look abandoned at once.
  PERFORM 1 FROM mail_claimant c WHERE c.key = mail_claim.key FOR UPDATE SKIP LOCKED;
  IF FOUND THEN
    RAISE EXCEPTION 'mail_claim: claimant % is not held (mail_claim_hold)', key USING ERRCODE = 'object_not_in_prerequisite_state';
  END IF;
  IF domain !~ '^[A-Za-z0-9.-]+$' THEN
    RAISE EXCEPTION 'mail_claim: "%" is not a domain for Message-IDs', domain USING ERRCODE = 'invalid_parameter_value';
  END IF;
  -- Claims of runs that ended (a killed process) go back to the queue.
  FOR orphan IN SELECT DISTINCT m.claimed_by FROM mail_message m WHERE m.status = 'sending' AND m.claimed_by <> key LOOP
    PERFORM 1 FROM mail_claimant c WHERE c.key = orphan FOR UPDATE SKIP LOCKED;
    IF FOUND OR NOT EXISTS (SELECT 1 FROM mail_claimant c WHERE c.key = orphan) THEN
      UPDATE mail_message m SET status = 'queued', claimed_by = NULL, next_attempt_at = clock_timestamp()
       WHERE m.id IN (SELECT o.id FROM mail_message o WHERE o.status = 'sending' AND o.claimed_by = orphan FOR UPDATE SKIP LOCKED);
    END IF;
  END LOOP;
  RETURN QUERY
  WITH due AS (
    SELECT m.id, m.recipient FROM mail_message m
    WHERE m.status = 'queued'
       OR (m.status = 'deferred'
           AND (m.next_attempt_at <= clock_timestamp() OR coalesce(m.last_attempt_at, '-infinity') < retry_before))
    ORDER BY m.next_attempt_at, m.id
    LIMIT batch
    FOR UPDATE SKIP LOCKED
  ), claimed AS (
    UPDATE mail_message m
       SET status = CASE WHEN s.address_key IS NULL THEN 'sending' ELSE 'suppressed' END,
           claimed_by = CASE WHEN s.address_key IS NULL THEN key END,
           finished_at = CASE WHEN s.address_key IS NULL THEN NULL ELSE clock_timestamp() END,
           last_reply = CASE WHEN s.address_key IS NULL THEN m.last_reply ELSE 'not sent: the address is on the suppression list (' || s.reason || ')' END,
           attempts = m.attempts + CASE WHEN s.address_key IS NULL THEN 1 ELSE 0 END,
           first_attempt_at = coalesce(m.first_attempt_at, clock_timestamp()),
           last_attempt_at = clock_timestamp(),
           message_id = coalesce(m.message_id, '<' || m.id || '.' || left(replace(gen_random_uuid()::text, '-', ''), 16) || '@' || lower(domain) || '>')
      FROM due LEFT JOIN mail_suppression s ON s.address_key = lower(due.recipient)
     WHERE m.id = due.id
    RETURNING m.*
  )
  -- The person's name for the To header (not on the office's copy, which goes to the office).
  SELECT c.id, c.kind, c.status, c.recipient,
         CASE WHEN c.cause NOT LIKE 'offer-office:%'
              THEN coalesce((SELECT p.given_names || ' ' || p.family_name FROM participant p
                             WHERE p.id = c.participant_id AND p.erased_at IS NULL),
                            (SELECT t.name FROM trainer t WHERE t.id = c.trainer_id)) END,
         c.subject, c.body, c.calendar,
         CASE WHEN c.attach_certificate AND octet_length(x.pdf) > 0 THEN x.pdf END,
         CASE WHEN c.attach_certificate AND octet_length(x.pdf) > 0 THEN x.serial || '.pdf' END,
         c.message_id, c.attempts, c.first_attempt_at, c.queued_at
  FROM claimed c LEFT JOIN certificate x ON x.id = c.certificate_id
  ORDER BY c.id;
END $$;

-- What `mail send` would send now, without changing anything: due messages, and the reminders it
-- would queue first (id NULL), oldest first.
CREATE FUNCTION mail_due(retry_deferred boolean)
  RETURNS TABLE (id bigint, kind text, status text, recipient text, subject text, attempts integer)
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  before bigint := (SELECT coalesce(max(m.id), 0) FROM mail_message m);
  preview jsonb;
BEGIN
  -- The reminders are queued inside a block whose subtransaction is rolled back: they are
  -- exactly what mail_queue_reminders would make, and nothing is kept but this variable.
  BEGIN
    PERFORM mail_queue_reminders();
    SELECT coalesce(jsonb_agg(jsonb_build_object(
             'id', CASE WHEN m.id > before THEN NULL ELSE m.id END, 'kind', m.kind, 'status', m.status,
             'recipient', m.recipient, 'subject', m.subject, 'attempts', m.attempts) ORDER BY m.queued_at, m.id), '[]')
      INTO preview
    FROM mail_message m
    WHERE m.status = 'queued' OR (m.status = 'deferred' AND (retry_deferred OR m.next_attempt_at <= clock_timestamp()));
    RAISE EXCEPTION USING ERRCODE = 'assert_failure', MESSAGE = 'mail_due preview';
  EXCEPTION WHEN assert_failure THEN
    NULL;
  END;
  RETURN QUERY SELECT r.id, r.kind, r.status, r.recipient, r.subject, r.attempts
    FROM jsonb_to_recordset(preview) AS r (id bigint, kind text, status text, recipient text, subject text, attempts integer);
END $$;

-- How many messages wait to be sent (queued, deferred or being sent), and when the next deferred
-- one is tried again.
CREATE FUNCTION mail_waiting(OUT waiting integer, OUT next_attempt timestamptz)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT count(*)::integer, min(m.next_attempt_at) FILTER (WHERE m.status = 'deferred')
  FROM mail_message m WHERE m.status IN ('queued', 'deferred', 'sending')
$$;

-- Records the outcome of one claimed message: 'sent' (2xx), 'failed' (5xx; with
-- `address_error`, a 5.1.x answer, the address goes on the suppression list), or 'deferred' (4xx,
-- connection and TLS failures): tried again after an exponential back-off with jitter (5 minutes,
-- doubling, at most 4 hours, ±20 %), and 'failed' once `give_up_after` has passed since the
-- first attempt. 'released': claimed but not tried (the run stopped first): back as it was,
-- the attempt not counted. Returns the status recorded, or NULL when the claim is no longer this
-- session's (the person was erased meanwhile).
CREATE FUNCTION mail_record(key integer, token text, message bigint, outcome text, reply text, address_error boolean,
                            give_up_after interval, return_path text DEFAULT NULL) RETURNS text
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  recorded text;
  address text;
  person bigint;
BEGIN
  IF outcome NOT IN ('sent', 'failed', 'deferred', 'released') THEN
    RAISE EXCEPTION 'mail_record: unknown outcome "%"', outcome USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF NOT coalesce(mail_claimant_ok(key, token), false) THEN
    RAISE EXCEPTION 'mail_record: claimant % does not exist or the token is not its', key USING ERRCODE = 'insufficient_privilege';
  END IF;
  -- A run that lost its hold (its holding connection ended) may have had its claims taken up by
  -- another: it records nothing more and stops, so that it sends nothing twice but the message
  -- in hand.
  PERFORM 1 FROM mail_claimant c WHERE c.key = mail_record.key FOR UPDATE SKIP LOCKED;
  IF FOUND THEN
    RAISE EXCEPTION 'this run lost its hold on its claims (its holding connection to PostgreSQL ended): it stops, and the next run sends what it had claimed'
      USING ERRCODE = 'object_not_in_prerequisite_state';
  END IF;
  IF outcome = 'released' THEN
    UPDATE mail_message m
       SET status = CASE WHEN m.attempts <= 1 THEN 'queued' ELSE 'deferred' END, claimed_by = NULL,
           attempts = m.attempts - 1, first_attempt_at = CASE WHEN m.attempts <= 1 THEN NULL ELSE m.first_attempt_at END
     WHERE m.id = message AND m.status = 'sending' AND m.claimed_by = key
    RETURNING m.status INTO recorded;
    RETURN recorded;
  END IF;
  UPDATE mail_message m
     SET status = CASE WHEN outcome = 'deferred' AND clock_timestamp() - m.first_attempt_at >= give_up_after THEN 'failed'
                       ELSE outcome END,
         claimed_by = NULL,
         last_reply = left(beccaria_inert_line(reply), 1000),
         next_attempt_at = CASE WHEN outcome = 'deferred'
                                -- The exponent is capped before it multiplies: 2^6 x 5 minutes is past 4 hours already.
                                THEN clock_timestamp() + least(interval '5 minutes' * power(2, least(greatest(m.attempts - 1, 0), 6)),
                                                               interval '4 hours') * (0.8 + random() * 0.4)
                                ELSE m.next_attempt_at END,
         finished_at = CASE WHEN outcome = 'deferred' AND clock_timestamp() - m.first_attempt_at < give_up_after THEN NULL
                            ELSE clock_timestamp() END,
         -- An address that is not one (a return path grown too long) is not kept, and does not
         -- keep the outcome from being recorded.
         return_path = CASE WHEN beccaria_mail_address_ok(mail_record.return_path) THEN mail_record.return_path ELSE m.return_path END
   WHERE m.id = message AND m.status = 'sending' AND m.claimed_by = key
  RETURNING m.status, m.recipient, m.participant_id INTO recorded, address, person;
  IF recorded = 'failed' AND address_error THEN
    INSERT INTO mail_suppression (address_key, address, reason, message_id, participant_id)
    VALUES (lower(address), address, left(beccaria_inert_line(reply), 300), message, person)
    ON CONFLICT (address_key) DO NOTHING;
  END IF;
  RETURN recorded;
END $$;

-- Text from outside (a server's answer, a bounce's diagnostic) as one inert line.
CREATE FUNCTION beccaria_inert_line(value text) RETURNS text
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE SET search_path = public, pg_temp AS $$
  SELECT btrim(regexp_replace(regexp_replace(value, '[\x01-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b\u200e\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000e0000-\U000e007f]+', ' ', 'g'), ' {2,}', ' ', 'g'))
$$;

-- Bodies and events of finished messages are purged `retentionDays` (default 30) after they
-- finished, per programme; subject, address and status stay as the record of what was sent.
CREATE FUNCTION mail_purge() RETURNS integer
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  purged integer;
BEGIN
  UPDATE mail_message m SET body = NULL, calendar = NULL, purged_at = clock_timestamp()
   WHERE m.purged_at IS NULL AND m.finished_at IS NOT NULL
     AND m.finished_at < clock_timestamp() - make_interval(days => coalesce((mail_settings(m.programme_id)->>'retentionDays')::integer, 30));
  GET DIAGNOSTICS purged = ROW_COUNT;
  RETURN purged;
END $$;

-- `mail resend`: a new message with the same content, to `address` or else the person's current
-- address (the original's for the office copy). Refused for a person erased, a body purged, a
-- message not yet finished, and an address on the suppression list.
CREATE FUNCTION mail_resend(message bigint, address text) RETURNS bigint
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  original mail_message%ROWTYPE;
  target text;
  suppressed mail_suppression%ROWTYPE;
  made bigint;
BEGIN
  SELECT * INTO original FROM mail_message WHERE id = message FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'message % does not exist', message USING ERRCODE = 'no_data_found';
  END IF;
  IF original.status IN ('queued', 'deferred', 'sending') THEN
    RAISE EXCEPTION 'message % is still %: it will be sent by the next mail send (cancel it first to send another)', message, original.status
      USING ERRCODE = 'object_not_in_prerequisite_state';
  END IF;
  IF EXISTS (SELECT 1 FROM participant p WHERE p.id = original.participant_id AND p.erased_at IS NOT NULL) THEN
    RAISE EXCEPTION 'message % was to a person who has been erased', message USING ERRCODE = 'object_not_in_prerequisite_state';
  END IF;
  IF original.body IS NULL THEN
    RAISE EXCEPTION 'message %''s text was deleted after the retention period on %: it cannot be sent again', message,
      to_char(original.purged_at AT TIME ZONE 'Europe/Berlin', 'DD.MM.YYYY') USING ERRCODE = 'object_not_in_prerequisite_state';
  END IF;
  -- A session's notice shows it as it was: once it moved again, only the latest notice is true.
  IF original.calendar IS NOT NULL
     AND (NOT EXISTS (SELECT 1 FROM session s WHERE s.id = original.session_id) AND original.kind <> 'cancellation'
          OR coalesce((SELECT k.sequence FROM mail_session_calendar k WHERE k.session_id = original.session_id), 0)
             > (original.calendar->>'sequence')::integer) THEN
    RAISE EXCEPTION 'message % shows session % as it was before a later change or its cancellation: resend the latest notice about it (mail list --kind change, --kind cancellation)',
      message, original.session_id USING ERRCODE = 'object_not_in_prerequisite_state';
  END IF;
  target := coalesce(nullif(btrim(address), ''),
                     CASE WHEN original.cause LIKE 'offer-office:%' THEN original.recipient END,
                     (SELECT p.email FROM participant p WHERE p.id = original.participant_id),
                     (SELECT t.email FROM trainer t WHERE t.id = original.trainer_id),
                     original.recipient);
  IF target IS NULL THEN
    RAISE EXCEPTION 'message % has no address to send to: give one with --to', message USING ERRCODE = 'not_null_violation';
  END IF;
  IF NOT beccaria_mail_address_ok(target) THEN
    RAISE EXCEPTION '"%" is not an e-mail address that can be mailed', target
      USING ERRCODE = 'check_violation', CONSTRAINT = 'mail_message_recipient_mailable';
  END IF;
  SELECT * INTO suppressed FROM mail_suppression WHERE address_key = lower(target);
  IF FOUND THEN
    RAISE EXCEPTION '% is on the suppression list since % (%): remove it with mail unsuppress first', target,
      to_char(suppressed.created_at AT TIME ZONE 'Europe/Berlin', 'DD.MM.YYYY'), suppressed.reason
      USING ERRCODE = 'object_not_in_prerequisite_state';
  END IF;
  INSERT INTO mail_message (cause, kind, programme_id, participant_id, trainer_id, certificate_id, session_id, recipient,
                            subject, body, calendar, attach_certificate, resend_of, requested_by)
  VALUES ('resend:' || message || '.' || (SELECT count(*) + 1 FROM mail_message r WHERE r.resend_of = message),
          original.kind, original.programme_id, original.participant_id, original.trainer_id, original.certificate_id,
          original.session_id, target, original.subject, original.body, original.calendar, original.attach_certificate,
          message, beccaria_actor())
  RETURNING id INTO made;
  RETURN made;
END $$;

-- `mail cancel`: a message not yet sent is not sent.
CREATE FUNCTION mail_cancel(message bigint) RETURNS void
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  current text;
  claimant integer;
BEGIN
  SELECT status, claimed_by INTO current, claimant FROM mail_message WHERE id = message FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'message % does not exist', message USING ERRCODE = 'no_data_found';
  END IF;
  -- 'sending' by a run that is gone (killed): not being sent at all.
  IF current = 'sending' THEN
    PERFORM 1 FROM mail_claimant c WHERE c.key = claimant FOR UPDATE SKIP LOCKED;
    IF FOUND THEN
      current := 'queued';
    END IF;
  END IF;
  IF current NOT IN ('queued', 'deferred') THEN
    RAISE EXCEPTION 'message % is %: only a queued or deferred message can be cancelled', message,
      CASE current WHEN 'sending' THEN 'being sent right now' ELSE current END
      USING ERRCODE = 'object_not_in_prerequisite_state';
  END IF;
  UPDATE mail_message SET status = 'cancelled', finished_at = clock_timestamp(), requested_by = beccaria_actor(),
         claimed_by = NULL, last_reply = concat_ws('; ', last_reply, 'cancelled by ' || beccaria_actor())
   WHERE id = message;
END $$;

-- A delivery status notification read from the office's mailbox: the message it reports on is
-- found by the Message-ID it quotes, or by the per-message return address it was sent to
-- (`office+m<number>.<the Message-ID's random part>@…`, which cannot be guessed from the number),
-- and only when the report names that message's recipient (`Final-Recipient` or
-- `Original-Recipient`). A message sent (or being sent, deferred, failed) is marked bounced; a
-- 5.1.x status puts the address on the suppression list. Returns the message's number and its
-- status before (unchanged when it was not sent: 'queued', 'cancelled', 'bounced' ...), or
-- nothing when no message matches.
CREATE FUNCTION mail_bounce(reported_message_id text, number bigint, number_token text, dsn_status text, diagnostic text,
                            final_recipient text, original_recipient text)
  RETURNS TABLE (id bigint, status_before text)
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  target mail_message%ROWTYPE;
BEGIN
  SELECT m.* INTO target FROM mail_message m
   WHERE (lower(m.message_id) = lower(reported_message_id)
          OR (m.id = number AND number_token ~ '^[0-9a-f]{16}$' AND m.message_id LIKE '<' || number || '.' || number_token || '@%'))
     AND lower(m.recipient) IN (lower(final_recipient), lower(original_recipient))
   ORDER BY m.id LIMIT 1 FOR UPDATE;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  IF target.status IN ('sent', 'sending', 'deferred', 'failed') THEN
    UPDATE mail_message m
       SET status = 'bounced', bounced_at = clock_timestamp(), claimed_by = NULL,
           finished_at = coalesce(m.finished_at, clock_timestamp()),
           last_reply = left(beccaria_inert_line('bounce ' || coalesce(dsn_status, '?') || ': ' || coalesce(diagnostic, '')), 1000)
     WHERE m.id = target.id;
    IF dsn_status ~ '^5\.1\.(1|2|3|6|10)$' THEN
      INSERT INTO mail_suppression (address_key, address, reason, message_id, participant_id)
      VALUES (lower(target.recipient), target.recipient, left(beccaria_inert_line('bounce ' || dsn_status || ': ' || coalesce(diagnostic, '')), 300),
              target.id, target.participant_id)
      ON CONFLICT (address_key) DO NOTHING;
    END IF;
  END IF;
  id := target.id;
  status_before := target.status;
  RETURN NEXT;
END $$;

-- `mail unsuppress`: an address may be mailed again. Returns whether it was on the list.
CREATE FUNCTION mail_unsuppress(address text) RETURNS boolean
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  DELETE FROM mail_suppression s WHERE s.address_key = lower(btrim(mail_unsuppress.address));
  RETURN FOUND;
END $$;

-- The person's messages for the right of access (participant export).
CREATE FUNCTION mail_export(person bigint) RETURNS jsonb
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT coalesce(jsonb_agg(jsonb_build_object(
           'id', m.id, 'kind', m.kind, 'status', m.status, 'recipient', m.recipient, 'subject', m.subject, 'body', m.body,
           'message_id', m.message_id, 'queued_at', m.queued_at, 'finished_at', m.finished_at, 'last_reply', m.last_reply,
           'body_deleted_at', m.purged_at) ORDER BY m.id), '[]')
  FROM mail_message m WHERE m.participant_id = person
$$;

REVOKE ALL ON FUNCTION beccaria_inert_lines(text), beccaria_mail_address_ok(text), mail_settings(bigint), mail_fill(text, jsonb), mail_date(date),
  mail_queue(text, text, bigint, bigint, bigint, text, jsonb, bigint, bigint, jsonb, text),
  mail_person_vars(bigint, bigint, bigint),
  mail_certificates_issued(), mail_place_offered(), mail_session_recipients(bigint, bigint, integer),
  mail_session_vars(session, session), mail_session_event(session, integer, boolean),
  mail_session_told(session, session, text), mail_session_moved(),
  mail_session_cancelled(), mail_queue_reminders(), mail_erase_person(), mail_claim_key(),
  mail_claimant_ok(integer, text), mail_claim_hold(integer, text),
  mail_claim(integer, text, integer, timestamptz, text), mail_record(integer, text, bigint, text, text, boolean, interval, text),
  beccaria_inert_line(text), mail_purge(), mail_resend(bigint, text), mail_cancel(bigint),
  mail_bounce(text, bigint, text, text, text, text, text), mail_unsuppress(text), mail_export(bigint), mail_due(boolean),
  mail_waiting() FROM PUBLIC;
-- Row checks run as whichever role writes a person or a message.
GRANT EXECUTE ON FUNCTION beccaria_mail_address_ok(text), beccaria_inert_line(text), beccaria_inert_lines(text)
  TO beccaria_admin, beccaria_trainer, beccaria_issuer, beccaria_auditor, beccaria_mailer, beccaria_registrar, beccaria_eraser;
-- Sending: the mailer, and the office, which may run `mail send` itself.
GRANT EXECUTE ON FUNCTION mail_claim_key(), mail_claim_hold(integer, text), mail_claim(integer, text, integer, timestamptz, text),
  mail_record(integer, text, bigint, text, text, boolean, interval, text), mail_queue_reminders(), mail_purge(), mail_due(boolean),
  mail_waiting()
  TO beccaria_mailer, beccaria_admin;
GRANT EXECUTE ON FUNCTION mail_resend(bigint, text), mail_cancel(bigint), mail_bounce(text, bigint, text, text, text, text, text),
  mail_unsuppress(text), mail_export(bigint), mail_settings(bigint)
  TO beccaria_admin;
GRANT EXECUTE ON FUNCTION mail_export(bigint), mail_settings(bigint) TO beccaria_auditor;
-- The outbox is the record of what was sent: never truncated (which would skip the triggers).
CREATE TRIGGER no_truncate BEFORE TRUNCATE ON mail_message FOR EACH STATEMENT EXECUTE FUNCTION beccaria_refuse_truncate();
CREATE TRIGGER no_truncate BEFORE TRUNCATE ON mail_suppression FOR EACH STATEMENT EXECUTE FUNCTION beccaria_refuse_truncate();
CREATE TRIGGER no_truncate BEFORE TRUNCATE ON mail_session_calendar FOR EACH STATEMENT EXECUTE FUNCTION beccaria_refuse_truncate();
CREATE TRIGGER no_truncate BEFORE TRUNCATE ON mail_claimant FOR EACH STATEMENT EXECUTE FUNCTION beccaria_refuse_truncate();

-- Nobody writes the outbox but its functions (default privileges would give the office every
-- write, and TRUNCATE to none but the owner): the office cannot mark a message sent.
REVOKE ALL ON mail_message, mail_suppression, mail_session_calendar, mail_claimant FROM beccaria_admin, beccaria_auditor;
REVOKE ALL ON SEQUENCE mail_message_id_seq, mail_suppression_id_seq, mail_claimant_key_seq FROM beccaria_admin, beccaria_auditor;
GRANT SELECT ON mail_message, mail_suppression, mail_session_calendar TO beccaria_admin, beccaria_auditor;
