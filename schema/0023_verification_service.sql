-- The public verification service (`beccaria serve`) and compact QR codes.
--
-- * beccaria_verifier is the service's group role. It reads no table: it may only call the
--   verification_* functions below, which answer what a public verification page may say and
--   nothing more — a certificate's status by serial (never a name), which serial an issued
--   PDF's SHA-256 belongs to, whether a presented signature is the one the register keeps,
--   whether a typed family name and birth date match (yes or no), a key's public half, and the
--   programmes' verification addresses and legal texts. A stolen service login can therefore
--   read no holder's data; it can only ask what the public page asks.
-- * New certificates carry compact tokens (BQ2, CertificateClaim.compactBytes) whose signature is
--   written in decimal digits; the check that a stored PDF carries its row's own code accepts
--   both forms of the signature.

DO $$
BEGIN
  -- Made once by a DBA (scripts/dba-roles.sql), or here when the owner may create roles.
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'beccaria_verifier') THEN
    BEGIN
      CREATE ROLE beccaria_verifier NOLOGIN;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN
      NULL; -- made concurrently
    END;
  END IF;
END $$;
GRANT USAGE ON SCHEMA public TO beccaria_verifier;
GRANT SELECT ON schema_migration TO beccaria_verifier;

-- base64url without padding (RFC 4648 §5), as the register stores signatures.
CREATE FUNCTION beccaria_base64url_decode(encoded text) RETURNS bytea
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE SET search_path = public, pg_temp AS $$
  SELECT decode(rpad(translate(encoded, '-_', '+/'), (length(encoded) + 3) / 4 * 4, '='), 'base64')
$$;

-- Bytes as decimal digits, exactly as BeccariaCore's DecimalBytes writes them: each group of 7
-- bytes, read as one big-endian number, becomes 17 digits; a last group of k bytes the fewest
-- digits that hold 256^k - 1 (3, 5, 8, 10, 13, 15); leading zeros pad each group.
CREATE FUNCTION beccaria_decimal_bytes(bytes bytea) RETURNS text
  LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE SET search_path = public, pg_temp AS $$
DECLARE
  widths constant integer[] := ARRAY[3, 5, 8, 10, 13, 15, 17];
  digits text := '';
  start integer := 0;
  count integer;
  value numeric;
BEGIN
  WHILE start < length(bytes) LOOP
    count := least(7, length(bytes) - start);
    value := 0;
    FOR i IN start .. start + count - 1 LOOP
      value := value * 256 + get_byte(bytes, i);
    END LOOP;
    digits := digits || lpad(value::text, widths[count], '0');
    start := start + count;
  END LOOP;
  RETURN digits;
END $$;

-- The part of a certificate's QR payload that carries its signature, as the Keywords of its PDF
-- write it: `.<base64url>` ending a BQ1 token (then `)` closes the Keywords), `BQ2.<156 digits>`
-- opening a BQ2 token (the claim's digits follow).
CREATE FUNCTION beccaria_signature_mark(signature text, qr_payload text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = public, pg_temp AS $$
  SELECT CASE WHEN qr_payload ~ '[#?&]c=BQ2\.' THEN 'BQ2.' || beccaria_decimal_bytes(beccaria_base64url_decode(signature))
              ELSE '.' || signature || ')' END
$$;

-- The stored PDF carries the row's own code (schema 0015), in either token form.
ALTER TABLE certificate DROP CONSTRAINT certificate_pdf_carries_code;
ALTER TABLE certificate ADD CONSTRAINT certificate_pdf_carries_code CHECK (
  holder_erased_at IS NOT NULL
  OR coalesce(
       position(replace(beccaria_signature_mark(signature, snapshot->>'qrPayload'), ')', '') IN snapshot->>'qrPayload') > 0
       AND position(convert_to('/Keywords (' || serial || ' ', 'UTF8') IN substring(pdf FROM greatest(1, length(pdf) - 8191))) > 0
       AND position(convert_to(beccaria_signature_mark(signature, snapshot->>'qrPayload'), 'UTF8')
                    IN substring(pdf FROM greatest(1, length(pdf) - 8191))) > 0,
       false)) NOT VALID;
-- Rows stored before the check existed stay exempt, as schema 0021 made them (by id: identity
-- values only grow); for BQ1 rows the new expression is the old one, so the same rows break it.
DO $$
DECLARE
  expression text;
  last_breaking bigint;
BEGIN
  SELECT pg_get_expr(conbin, conrelid) INTO expression FROM pg_constraint
   WHERE conrelid = 'certificate'::regclass AND conname = 'certificate_pdf_carries_code';
  EXECUTE format('SELECT max(id) FROM certificate WHERE NOT (%s)', expression) INTO last_breaking;
  IF last_breaking IS NOT NULL THEN
    ALTER TABLE certificate DROP CONSTRAINT certificate_pdf_carries_code;
    EXECUTE format('ALTER TABLE certificate ADD CONSTRAINT certificate_pdf_carries_code CHECK ((%s) OR id <= %s) NOT VALID',
                   expression, last_breaking);
    RAISE WARNING 'certificates up to id % were stored before the check certificate_pdf_carries_code and stay as they are; every later one is checked',
      last_breaking;
  END IF;
  ALTER TABLE certificate VALIDATE CONSTRAINT certificate_pdf_carries_code;
END $$;

-- A name as a key for "as printed" comparisons: the same for any case, accents and Unicode
-- normalisation form (NFC or NFD input), for hyphens and spaces, and for the letters that have
-- no decomposition but are commonly typed without their stroke (Łukasz, Ørsted, Đặng).
-- Whitespace is collapsed. With `german`, ä, ö and ü are first written ae, oe and ue, as German
-- keyboards without umlauts and passports' machine-readable lines write them (Mueller, Koenig).
CREATE FUNCTION beccaria_name_key(name text, german boolean DEFAULT false) RETURNS text
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE SET search_path = public, pg_temp AS $$
  SELECT btrim(regexp_replace(
           translate(
             replace(replace(replace(
               regexp_replace(
                 normalize(
                   CASE WHEN german
                        THEN replace(replace(replace(lower(normalize(name, NFKC) COLLATE "und-x-icu"), 'ä', 'ae'), 'ö', 'oe'), 'ü', 'ue')
                        ELSE lower(normalize(name, NFKC) COLLATE "und-x-icu") END, NFD),
                 '[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f\u064b-\u065f\u0670]', '', 'g'),
               'ß', 'ss'), 'æ', 'ae'), 'œ', 'oe'),
             'łøđħıŀþ‐‑‒–—-', 'lodhilt      '),
           '\s+', ' ', 'g'))
$$;

-- Whether a typed name is the printed one (beccaria_name_key, with or without the German
-- spelling of umlauts); with `suffix`, also whether it is the printed name's last words.
CREATE FUNCTION beccaria_names_match(printed text, typed text, suffix boolean DEFAULT false) RETURNS boolean
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE SET search_path = public, pg_temp AS $$
  SELECT bool_or(p = t OR (suffix AND right(p, length(t) + 1) = ' ' || t))
  FROM (VALUES (beccaria_name_key(printed), beccaria_name_key(typed)),
               (beccaria_name_key(printed, true), beccaria_name_key(typed, true))) AS keys (p, t)
  WHERE t <> ''
$$;

-- A certificate as the public may see it: its status as the register's history records it
-- (schema 0015; the status field alone does not decide), what replaced it and the last of that
-- chain, its PDF's SHA-256 and key — never a name or birth date. With `presented_signature` (the
-- base64url of a token's signature), also whether it is the very signature the register keeps
-- (for an erased holder: hashes to the kept SHA-256). No row for an unknown serial.
CREATE FUNCTION verification_certificate(wanted_serial text, presented_signature text DEFAULT NULL)
  RETURNS TABLE (
    serial text, kind text, programme_code text, programme_title text, programme_version integer,
    module_number integer, completed_on date, issued_on date, status text, revoked_on date,
    superseded_by text, current_serial text, current_status text, pdf_sha256 text, key_id text,
    token_format text, holder_erased boolean, signature_kept boolean)
  -- PL/pgSQL, not SQL: a SECURITY DEFINER SQL function is planned again at every call, a
  -- PL/pgSQL one keeps its plan for the session (the service calls this for every lookup).
  LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
#variable_conflict use_column
BEGIN
  RETURN QUERY
  WITH found AS (
    -- The columns read, not c.*: the PDF's bytes are never fetched.
    SELECT c.id, c.serial, c.kind, c.module_number, c.completed_on, c.pdf_sha256, c.key_id, c.signature,
           c.signature_sha256, c.superseded_by, c.holder_erased_at, c.snapshot->>'programmeCode' AS programme_code,
           c.snapshot->>'programmeTitle' AS programme_title, (c.snapshot->>'programmeVersion')::integer AS programme_version,
           (c.snapshot->>'issuedOn')::date AS issued_on, c.snapshot->>'qrPayload' AS qr_payload,
           coalesce(e.status, c.status) AS recorded_status, coalesce(e.at, c.revoked_at) AS revoked_at_recorded
    FROM certificate c LEFT JOIN certificate_status_event e ON e.certificate_id = c.id
    WHERE c.serial = wanted_serial
  ), chain AS (
    WITH RECURSIVE link AS (
      SELECT n.id, n.serial, n.superseded_by, 1 AS depth FROM certificate n JOIN found ON n.id = found.superseded_by
      UNION ALL
      SELECT n.id, n.serial, n.superseded_by, link.depth + 1 FROM certificate n JOIN link ON n.id = link.superseded_by
      WHERE link.depth < 1000)
    SELECT link.serial, coalesce(e.status, n.status) AS status
    FROM link JOIN certificate n ON n.id = link.id LEFT JOIN certificate_status_event e ON e.certificate_id = n.id
    ORDER BY link.depth DESC LIMIT 1
  )
  SELECT f.serial, f.kind, f.programme_code, f.programme_title, f.programme_version, f.module_number, f.completed_on,
         f.issued_on, f.recorded_status,
         CASE WHEN f.recorded_status = 'revoked' THEN (f.revoked_at_recorded AT TIME ZONE 'Europe/Berlin')::date END,
         (SELECT s.serial FROM certificate s WHERE s.id = f.superseded_by),
         (SELECT chain.serial FROM chain), (SELECT chain.status FROM chain),
         f.pdf_sha256, f.key_id,
         CASE WHEN f.holder_erased_at IS NOT NULL THEN NULL
              WHEN f.qr_payload ~ '[#?&]c=BQ2\.' THEN 'compact' ELSE 'json' END,
         f.holder_erased_at IS NOT NULL,
         CASE WHEN presented_signature IS NULL THEN NULL
              ELSE coalesce(f.signature = presented_signature
                              OR encode(sha256(convert_to(presented_signature, 'UTF8')), 'hex') = f.signature_sha256, false) END
  FROM found f;
END $$;

-- The serial of the certificate whose issued PDF has this SHA-256 (hex), if any.
CREATE FUNCTION verification_serial_of_pdf(sha256_hex text) RETURNS text
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT serial FROM certificate WHERE pdf_sha256 = lower(sha256_hex)
$$;

-- Whether a typed family name and birth date are those printed on the certificate: true or
-- false, and NULL for an unknown serial or an erased holder (nothing is left to compare). The
-- family name is the participant's when the printed name is still given names and family name
-- as recorded; otherwise (renamed since) the printed name's last words. Compared as
-- beccaria_name_key writes them. (The arguments are named apart from participant's columns: in a
-- SQL function a column of the same name would take their place.)
CREATE FUNCTION verification_holder_matches(wanted_serial text, typed_family_name text, typed_birth_date date) RETURNS boolean
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT CASE
           WHEN c.holder_erased_at IS NOT NULL THEN NULL
           WHEN beccaria_name_key(coalesce(typed_family_name, '')) = '' OR typed_birth_date IS NULL THEN false
           ELSE (c.snapshot->>'birthDate')::date IS NOT DISTINCT FROM typed_birth_date
                AND CASE WHEN p.erased_at IS NULL AND p.given_names || ' ' || p.family_name = c.snapshot->>'holderName'
                           THEN coalesce(beccaria_names_match(p.family_name, typed_family_name), false)
                         ELSE coalesce(beccaria_names_match(c.snapshot->>'holderName', typed_family_name, true), false) END
         END
  FROM certificate c JOIN participant p ON p.id = c.participant_id
  WHERE c.serial = wanted_serial
$$;

-- A signing key's public half (32 bytes, Ed25519) and the Berlin day it retired, if it did.
CREATE FUNCTION verification_key(wanted_key_id text) RETURNS TABLE (public_key bytea, retired_on date)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT public_key, (retired_at AT TIME ZONE 'Europe/Berlin')::date FROM signing_key WHERE key_id = wanted_key_id
$$;

-- Every programme version's issuer, verification address, legal texts and module titles
-- (issuer.name, documents.verification_url, documents.verificationPage and the modules' numbers
-- and titles of its definition), newest version first.
CREATE FUNCTION verification_programmes()
  RETURNS TABLE (code text, title text, version integer, issuer text, verification_url text, verification_page jsonb,
                 modules jsonb)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT p.code, v.title, v.version, v.definition->'issuer'->>'name', v.definition->'documents'->>'verificationURL',
         v.definition->'documents'->'verificationPage',
         coalesce((SELECT jsonb_agg(jsonb_build_object('number', m->'number', 'title', m->'title'))
                   FROM jsonb_array_elements(v.definition->'modules') m), '[]')
  FROM programme_version v JOIN programme p ON p.id = v.programme_id
  ORDER BY p.code, v.version DESC
$$;

REVOKE ALL ON FUNCTION verification_certificate(text, text), verification_serial_of_pdf(text),
  verification_holder_matches(text, text, date), verification_key(text), verification_programmes() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION verification_certificate(text, text), verification_serial_of_pdf(text),
  verification_holder_matches(text, text, date), verification_key(text), verification_programmes()
  TO beccaria_verifier, beccaria_admin, beccaria_auditor;

-- Pure functions of their arguments, for every beccaria role: the register's CHECK constraint
-- runs them as whichever role writes a certificate (the registrar's and the eraser's functions
-- included). PUBLIC executes no function of this schema (0014).
REVOKE ALL ON FUNCTION beccaria_base64url_decode(text), beccaria_decimal_bytes(bytea),
  beccaria_signature_mark(text, text), beccaria_name_key(text, boolean), beccaria_names_match(text, text, boolean)
  FROM PUBLIC;
GRANT EXECUTE ON FUNCTION beccaria_base64url_decode(text), beccaria_decimal_bytes(bytea),
  beccaria_signature_mark(text, text), beccaria_name_key(text, boolean), beccaria_names_match(text, text, boolean)
  TO beccaria_admin, beccaria_trainer, beccaria_issuer, beccaria_auditor, beccaria_verifier, beccaria_registrar,
     beccaria_eraser;
