-- The days a programme's events fall on lie in the years it can run: 2000 to 2099. Without this a
-- session planned for 0001-01-06 and a project assessed on 0001-03-01 (a typing slip, or a
-- hostile script) made a valid certificate "completed on 01.03.0001". Birth dates have their own
-- rule in the commands (Validation.birthDate). Added NOT VALID and validated where the rows allow.

ALTER TABLE session ADD CONSTRAINT session_day_in_era CHECK (day BETWEEN DATE '2000-01-01' AND DATE '2099-12-31') NOT VALID;
ALTER TABLE course
  ADD CONSTRAINT course_dates_in_era
    CHECK (starts_on BETWEEN DATE '2000-01-01' AND DATE '2099-12-31' AND ends_on BETWEEN DATE '2000-01-01' AND DATE '2099-12-31')
    NOT VALID;
ALTER TABLE assessment
  ADD CONSTRAINT assessment_day_in_era CHECK (assessed_on BETWEEN DATE '2000-01-01' AND DATE '2099-12-31') NOT VALID;

DO $$
DECLARE
  c record;
BEGIN
  FOR c IN SELECT conrelid::regclass AS tab, conname FROM pg_constraint
            WHERE conname IN ('session_day_in_era', 'course_dates_in_era', 'assessment_day_in_era') LOOP
    BEGIN
      EXECUTE format('ALTER TABLE %s VALIDATE CONSTRAINT %I', c.tab, c.conname);
    EXCEPTION WHEN check_violation THEN
      RAISE WARNING '% has rows outside 2000 to 2099; they stay, every new or changed row is checked', c.conname;
    END;
  END LOOP;
END $$;
