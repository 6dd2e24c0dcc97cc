-- A certificate row is larger than the server's 2 KB TOAST threshold even with its PDF stored
-- out of line (0010), so the server compresses the printed-field snapshot (about 2.4 KB of
-- jsonb) of every certificate it stores. With the default pglz that was the largest single item
-- of the server's time in the nightly run's profile; lz4 compresses it about as well in a
-- fraction of the time. Applies to rows written from now on; nothing is rewritten. A server
-- built without lz4 keeps pglz.
DO $$
BEGIN
  ALTER TABLE certificate ALTER COLUMN snapshot SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
  RAISE NOTICE 'this server has no lz4 support; certificate snapshots stay compressed with pglz';
END $$;
