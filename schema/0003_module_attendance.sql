-- Attendance per enrolment and module, against every session planned for the module in the
-- cohort (not only past ones). One set-based source for progress reports, the early warning and
-- certificate eligibility.
--   planned_ue    UE of all sessions of the module in the cohort
--   attended_ue   UE attended (present/late as recorded; excused counts in full only when the
--                 programme version says so)
--   open_ue       UE of sessions without a record yet (still to come, or not yet recorded)
CREATE VIEW module_attendance AS
SELECT e.id AS enrolment_id,
       e.participant_id,
       e.course_id,
       e.status AS enrolment_status,
       s.module_number,
       c.programme_version_id,
       v.programme_id,
       v.attendance_threshold,
       v.excused_counts,
       sum(s.ue)::integer AS planned_ue,
       coalesce(sum(CASE WHEN a.status IN ('present', 'late') THEN a.ue_attended
                         WHEN a.status = 'excused' AND v.excused_counts THEN s.ue::numeric
                         ELSE 0 END), 0)::numeric AS attended_ue,
       coalesce(sum(s.ue) FILTER (WHERE a.status IS NULL), 0)::integer AS open_ue,
       max(s.ue) FILTER (WHERE a.status IS NULL) AS largest_open_ue,
       count(*)::integer AS sessions,
       count(a.status)::integer AS recorded_sessions,
       count(*) FILTER (WHERE a.status = 'excused')::integer AS excused_sessions,
       max(s.day) AS last_day,
       max(s.day) FILTER (WHERE a.status IN ('present', 'late')
                          OR (a.status = 'excused' AND v.excused_counts)) AS last_attended_day
FROM enrolment e
JOIN course c ON c.id = e.course_id
JOIN programme_version v ON v.id = c.programme_version_id
JOIN session s ON s.course_id = e.course_id
LEFT JOIN attendance a ON a.session_id = s.id AND a.participant_id = e.participant_id
WHERE e.enrolled_at IS NOT NULL
  AND (e.scope = 'programme'
       OR EXISTS (SELECT 1 FROM enrolment_module em WHERE em.enrolment_id = e.id AND em.module_number = s.module_number))
GROUP BY e.id, e.participant_id, e.course_id, e.status, s.module_number, c.programme_version_id, v.programme_id,
         v.attendance_threshold, v.excused_counts;

COMMENT ON VIEW module_attendance IS
  'Attendance per enrolment and module against all planned sessions; threshold met when attended_ue >= attendance_threshold * planned_ue.';
