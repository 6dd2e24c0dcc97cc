-- A run that could not finish its exports (killed, disk full, directory unwritable) leaves them
-- pending; the next run with the same output directory writes every missing or differing file.
ALTER TABLE certificate_run
  ADD COLUMN export_directory text,
  ADD COLUMN export_pending boolean NOT NULL DEFAULT false,
  ADD CONSTRAINT certificate_run_pending_has_directory CHECK (NOT export_pending OR export_directory IS NOT NULL);
CREATE INDEX certificate_run_export_pending_idx ON certificate_run (id) WHERE export_pending;
