-- Certificate PDFs are compressed already (Flate streams, subset fonts): storing them EXTERNAL
-- (out of line, no compression attempt) spares PostgreSQL a futile pglz pass over every
-- document, which the certificate benchmark measured at about 1.4 ms of server time per
-- certificate (0.25 ms without). Applies to rows written from now on; nothing is rewritten.
ALTER TABLE certificate ALTER COLUMN pdf SET STORAGE EXTERNAL;
