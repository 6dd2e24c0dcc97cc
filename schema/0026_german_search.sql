-- German search (issue 22): names written without umlauts, as on a keyboard without them or in an
-- e-mail address, find the names written with them, and the other way round: "Mueller",
-- "Muller" and "Müller" are one key, so are "Koehler" and "Köhler", and "Strasse" and "Straße"
-- (unaccent spells ß as ss already). The key folds ae, oe and ue to a, o and u after unaccent;
-- the same key is made of every name and of every search, so that search (the trigram index)
-- and the likely-duplicate checks (participant add and import) agree. Words that merely contain
-- such a pair ("Samuel", "Michael") get a key two names may share by chance; a search finds a
-- little more, and a duplicate is only "likely" anyway.
DO $do$
DECLARE
  schema_name name := (SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
                       WHERE e.extname = 'unaccent');
BEGIN
  EXECUTE format(
    $f$CREATE OR REPLACE FUNCTION public.beccaria_fold(value text) RETURNS text
       LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
       AS $body$ SELECT pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(
                   pg_catalog.lower(%1$I.unaccent('%1$I.unaccent'::regdictionary, value)), 'ae', 'a'), 'oe', 'o'), 'ue', 'u')
          $body$ $f$, schema_name);
END $do$;

-- The indexes on the key hold the old one until rebuilt.
REINDEX INDEX participant_identity_idx;
REINDEX INDEX participant_search_trgm;
