-- A certificate's audit entries leave out its snapshot as they already leave out its PDF: both are
-- frozen in the certificate row, whose entry keeps serial, holder, hash, signature and run. Copying
-- the snapshot (2-3 KB of JSON per certificate, compressed by the server) into the log cost about
-- a tenth of a millisecond per certificate inside the serial counter's lock, and kept a second copy
-- of the holder's name and date of birth in the log.
DROP TRIGGER audit_insert ON certificate;
DROP TRIGGER audit_update ON certificate;
DROP TRIGGER audit_delete ON certificate;
CREATE TRIGGER audit_insert AFTER INSERT ON certificate REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_statement('id', 'pdf,snapshot');
CREATE TRIGGER audit_update AFTER UPDATE ON certificate REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_statement('id', 'pdf,snapshot');
CREATE TRIGGER audit_delete AFTER DELETE ON certificate REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_statement('id', 'pdf,snapshot');
