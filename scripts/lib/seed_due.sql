-- :count participants who attended everything (one 8-UE session per module, all past) and passed
-- their project: each is due a Zertifikat. Tagged :'tag' so that several batches can coexist.
-- Plain SQL; the triggers mark the participants due as in real use.
-- Used by scripts/bench and scripts/faults: psql -v count=N -v tag=X -f scripts/lib/seed_due.sql
INSERT INTO course (code, programme_version_id, title, capacity, starts_on)
SELECT 'CERT-' || :'tag' || '-' || g, 1, 'Zertifikate ' || g, 25, DATE '2025-01-04' FROM generate_series(1, (:count + 24) / 25) g;
INSERT INTO session (course_id, programme_version_id, module_number, day, starts_at, ends_at, ue)
SELECT c.id, 1, m, DATE '2025-01-04' + m * 7, '09:00', '16:30', 8 FROM course c CROSS JOIN generate_series(1, 4) m
WHERE c.code LIKE 'CERT-' || :'tag' || '-%';
WITH people AS (
  INSERT INTO participant (family_name, given_names, birth_date, email, municipality_ags)
  SELECT (ARRAY['Wjeńka','Šołćina','Łukasiewicz-Ünal','Nguyễn','Müller','Yılmaz','Kowalczyk','Schröder'])[1 + g % 8] || '-' || g,
         (ARRAY['Měrćin','Hańža','Zoë','Thị Minh Khai','Anna','Emre','Agnieszka','Nadine'])[1 + g % 8],
         DATE '1960-01-01' + g % 15000, 'cert-' || :'tag' || '-' || g || '@example.org', '14612000'
  FROM generate_series(1, :count) g RETURNING id
), numbered AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM people)
INSERT INTO enrolment (course_id, programme_version_id, participant_id, scope, status, enrolled_at)
SELECT c.id, 1, numbered.id, 'programme', 'enrolled', now() FROM numbered
JOIN course c ON c.code = 'CERT-' || :'tag' || '-' || (numbered.n / 25 + 1);
INSERT INTO attendance (session_id, participant_id, status, ue_attended)
SELECT s.id, e.participant_id, 'present', 8 FROM enrolment e JOIN course c ON c.id = e.course_id AND c.code LIKE 'CERT-' || :'tag' || '-%'
JOIN session s ON s.course_id = c.id;
INSERT INTO assessment (participant_id, programme_id, course_id, kind, result, title, assessed_on)
SELECT e.participant_id, 1, e.course_id, 'project', 'passed', 'Projekt', DATE '2025-03-01'
FROM enrolment e JOIN course c ON c.id = e.course_id AND c.code LIKE 'CERT-' || :'tag' || '-%';
