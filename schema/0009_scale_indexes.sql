-- Indexes found by the national-scale benchmark (1,000,000 participants, 20,000,000 attendance
-- rows): rosters and the early warning look up a cohort's enrolments whatever their status, and
-- make-up suggestions look for the next sessions of a module.
CREATE INDEX enrolment_course_idx ON enrolment (course_id);
CREATE INDEX session_module_day_idx ON session (programme_version_id, module_number, day);
