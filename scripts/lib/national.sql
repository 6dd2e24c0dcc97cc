-- Synthetic national-scale data, deterministic (every "random" choice is a hash of a row number):
-- 16 states × 25 municipalities, 16 states × 20 years × 125 cohorts of 25 participants
-- (40,000 cohorts, 1,000,000 participants) with 20 sessions each (800,000 sessions,
-- 20,000,000 attendance rows), project results, and the certificates earlier runs issued (rows
-- with stand-in PDF bytes). Names from many languages. Triggers (audit, queue, rule checks) are
-- bypassed with session_replication_role = replica, as a bulk migration would; the data obeys the
-- rules by construction. Needs a superuser; run on an empty, migrated database with the programme
-- loaded (programme_version 1).
-- Scale: -v cohorts=N (default 40,000 cohorts of 25 = 1,000,000 participants).
\if :{?cohorts}
\else
  \set cohorts 40000
\endif
SET session_replication_role = replica;
SET synchronous_commit = off;

INSERT INTO municipality (ags, name, district, asskomm_member_since)
SELECT lpad(s::text, 2, '0') || '0' || lpad(m::text, 2, '0') || '000', 'Gemeinde ' || s || '-' || m, 'Kreis ' || s || '-' || m % 5,
       CASE WHEN m % 3 = 0 THEN DATE '2019-02-06' + (s * 37 + m * 11) END
FROM generate_series(1, 16) s, generate_series(1, 25) m
ON CONFLICT (ags) DO NOTHING;

-- Cohorts: state 1 + g % 16, year 2007 + (g / 16) % 20, 125 per state and year.
INSERT INTO course (code, programme_version_id, title, capacity, seats_taken, venue, starts_on, status)
SELECT 'NAT-' || (1 + g % 16) || '-' || (2007 + (g / 16) % 20) || '-' || g, 1, 'Kohorte ' || g, 25, 25, 'Land ' || (1 + g % 16),
       make_date(2007 + (g / 16) % 20, 1, 5) + (g * 7) % 330,
       CASE WHEN make_date(2007 + (g / 16) % 20, 1, 5) + (g * 7) % 330 + 19 * 7 < current_date THEN 'ended' ELSE 'running' END
FROM generate_series(0, :cohorts - 1) g;

INSERT INTO session (course_id, programme_version_id, module_number, day, starts_at, ends_at, ue)
SELECT c.id, 1, 1 + (k - 1) / 5, c.starts_on + (k - 1) * 7, '09:00', '16:30', 8
FROM course c CROSS JOIN generate_series(1, 20) k WHERE c.code LIKE 'NAT-%';

-- Participants: 25 per cohort, names from many languages, a municipality of the cohort's state.
INSERT INTO participant (family_name, given_names, birth_date, email, municipality_ags, organisation)
SELECT (ARRAY['Müller','Schmidt','Wjeńka','Šołćina','Kowalski','Nowak','Dvořák','Novák','Yılmaz','Kaya','Nguyễn','Trần','Al-Hassan',
              'Haddad','Ivanov','Kovalenko','Rossi','Esposito','García','Fernández','Papadopoulos','Öztürk','Jankowa','Krawc',
              'Łukasiewicz','Horváth','Popescu','Jensen','O''Brien','Smith','Zhang','Wang'])[1 + abs(hashint4(g)) % 32],
       (ARRAY['Anna','Měrćin','Hańža','Zoë','Jan','Agnieszka','Emre','Elif','Thị Minh Khai','Văn An','Mohammed','Layla','Olga',
              'Dmytro','Giulia','Marco','Lucía','José','Eleni','Nikos','Ayşe','Lejna','Jurij','Małgorzata','Zsófia','Ioana',
              'Søren','Siobhán','Wei','Li','Lena','Paul'])[1 + abs(hashint4(g * 7 + 3)) % 32],
       DATE '1955-01-01' + abs(hashint4(g * 13)) % 17000, 'p' || g || '@national.example.org',
       lpad((1 + (g / 25) % 16)::text, 2, '0') || '0' || lpad((1 + abs(hashint4(g * 5)) % 25)::text, 2, '0') || '000',
       (ARRAY['Polizei', 'Stadtverwaltung', 'Landratsamt', 'Verein', 'Schule', NULL])[1 + g % 6]
FROM generate_series(0, :cohorts * 25 - 1) g;

-- Participant g sits in cohort g / 25 (ids follow generation order).
INSERT INTO enrolment (course_id, programme_version_id, participant_id, scope, status, enrolled_at)
SELECT c.id, 1, p.id, 'programme', 'enrolled', c.starts_on::timestamptz - interval '30 days'
FROM participant p JOIN course c ON c.code LIKE 'NAT-%' AND c.id = (SELECT min(id) FROM course WHERE code LIKE 'NAT-%') + (p.id - (SELECT min(id) FROM participant WHERE email LIKE '%@national.example.org')) / 25
WHERE p.email LIKE '%@national.example.org';

-- Attendance of every past session: 90 % present, 4 % late (6 UE), 3 % excused, 3 % absent.
INSERT INTO attendance (session_id, participant_id, status, ue_attended, recorded_by)
SELECT s.id, e.participant_id, x.status, x.ue, 'national-generator'
FROM enrolment e JOIN session s ON s.course_id = e.course_id AND s.day <= current_date
CROSS JOIN LATERAL (SELECT abs(hashint8(s.id * 1000003 + e.participant_id)) % 100 AS r) h
CROSS JOIN LATERAL (SELECT CASE WHEN h.r < 90 THEN 'present' WHEN h.r < 94 THEN 'late' WHEN h.r < 97 THEN 'excused' ELSE 'absent' END AS status,
                           CASE WHEN h.r < 90 THEN 8 WHEN h.r < 94 THEN 6 ELSE 0 END AS ue) x
JOIN course c ON c.id = e.course_id AND c.code LIKE 'NAT-%';

-- Project results of ended cohorts: 85 % passed.
INSERT INTO assessment (participant_id, programme_id, course_id, kind, result, title, assessed_on)
SELECT e.participant_id, 1, c.id, 'project', CASE WHEN abs(hashint4(e.participant_id::int)) % 100 < 85 THEN 'passed' ELSE 'failed' END,
       'Präventionsprojekt', c.starts_on + 20 * 7
FROM enrolment e JOIN course c ON c.id = e.course_id AND c.code LIKE 'NAT-%' AND c.status = 'ended';

-- What earlier nightly runs issued: a Zertifikat for every passed participant of an ended cohort
-- (stand-in PDF bytes; the serial counter of each year matches).
INSERT INTO signing_key (key_id, public_key, label) VALUES ('k-0000000000000001', decode(repeat('01', 32), 'hex'), 'national history')
ON CONFLICT DO NOTHING;
WITH issued AS (
  -- Issued the day after completion; a serial's year is the German year of issue.
  SELECT a.participant_id, c.starts_on + 21 * 7 AS completed_on,
         row_number() OVER (PARTITION BY extract(year FROM c.starts_on + 21 * 7 + 1) ORDER BY a.participant_id) AS n
  FROM assessment a JOIN course c ON c.id = a.course_id AND c.code LIKE 'NAT-%'
  WHERE a.result = 'passed' AND c.starts_on + 21 * 7 < current_date
)
INSERT INTO certificate (serial, kind, participant_id, programme_id, programme_version_id, completed_on, issued_at, pdf, pdf_sha256,
                         snapshot, key_id, signature)
SELECT s.serial, 'zertifikat', participant_id, 1, 1, completed_on, ((completed_on + 1) + time '10:00') AT TIME ZONE 'Europe/Berlin',
       convert_to('%PDF- /Keywords (' || s.serial || ' ' || s.qr || ')', 'UTF8'), encode(sha256(convert_to(s.serial, 'UTF8')), 'hex'),
       jsonb_build_object('serial', s.serial, 'keyID', 'k-0000000000000001', 'qrPayload', s.qr), 'k-0000000000000001', repeat('A', 86)
FROM issued,
     LATERAL (SELECT 'BQ-' || extract(year FROM completed_on + 1) || '-' || lpad(n::text, 6, '0') AS serial,
                     'https://example.org/p?c=BQ1.e30.' || repeat('A', 86) AS qr) s;
INSERT INTO certificate_serial_counter (year, last_number)
SELECT substr(serial, 4, 4)::integer, max(substr(serial, 9)::integer) FROM certificate GROUP BY 1
ON CONFLICT (year) DO UPDATE SET last_number = greatest(certificate_serial_counter.last_number, excluded.last_number);
RESET session_replication_role;
