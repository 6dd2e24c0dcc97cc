-- Signatures, revocation and re-issue.
--
-- Every certificate is signed (Ed25519) over the canonical encoding of its claim, with a key whose
-- public half is registered here; the private half lives in a file outside the database. A
-- revoked certificate keeps everything but changes status; a re-issued one is superseded by a new
-- certificate that points back to it, and both links are checked at commit.

CREATE TABLE signing_key (
  key_id text PRIMARY KEY CONSTRAINT signing_key_id_format CHECK (key_id ~ '^k-[0-9a-f]{16}$'),
  algorithm text NOT NULL DEFAULT 'ed25519' CONSTRAINT signing_key_algorithm_known CHECK (algorithm = 'ed25519'),
  public_key bytea NOT NULL UNIQUE CONSTRAINT signing_key_length CHECK (length(public_key) = 32),
  label text,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text DEFAULT nullif(current_setting('beccaria.actor', true), ''),
  retired_at timestamptz
);

-- A key is never deleted or changed (what it signed must stay verifiable); it can only retire.
CREATE FUNCTION signing_key_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'signing key % is never deleted; retire it instead', OLD.key_id
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF (NEW.key_id, NEW.algorithm, NEW.public_key, NEW.created_at) IS DISTINCT FROM
     (OLD.key_id, OLD.algorithm, OLD.public_key, OLD.created_at)
     OR (OLD.retired_at IS NOT NULL AND NEW.retired_at IS DISTINCT FROM OLD.retired_at) THEN
    RAISE EXCEPTION 'signing key % cannot change; only a key in use can retire', OLD.key_id
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER signing_key_frozen BEFORE UPDATE OR DELETE ON signing_key
  FOR EACH ROW EXECUTE FUNCTION signing_key_guard();

CREATE TRIGGER audit_insert AFTER INSERT ON signing_key REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_statement('key_id');
CREATE TRIGGER audit_update AFTER UPDATE ON signing_key REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_statement('key_id');

-- Every certificate is signed by a registered key; the signature is 64 bytes in base64url.
ALTER TABLE certificate
  ADD CONSTRAINT certificate_key_registered FOREIGN KEY (key_id) REFERENCES signing_key (key_id),
  -- NOT VALID: certificates issued before this migration carry no signature and stay as they
  -- are (certificate verify reports them as unsigned); every new or changed row is checked.
  ADD CONSTRAINT certificate_signed CHECK (key_id IS NOT NULL) NOT VALID,
  ADD CONSTRAINT certificate_signature_format CHECK (signature ~ '^[A-Za-z0-9_-]{86}$');

-- Look-ups by the hash of a presented PDF.
CREATE INDEX certificate_sha256_idx ON certificate (pdf_sha256);

-- Re-issue: the new certificate names the one it replaces and why; the old one names its
-- successor. The successor's id is taken before either row is written, so the link from the old
-- row is checked at commit.
ALTER TABLE certificate
  ADD COLUMN supersedes bigint UNIQUE REFERENCES certificate (id),
  ADD COLUMN reissue_reason text,
  ADD COLUMN superseded_at timestamptz,
  ADD CONSTRAINT certificate_reissue_has_reason
    CHECK ((supersedes IS NULL) = (btrim(coalesce(reissue_reason, '')) = '')),
  ADD CONSTRAINT certificate_superseded_when CHECK ((status = 'superseded') = (superseded_at IS NOT NULL)),
  ADD CONSTRAINT certificate_not_own_successor CHECK (superseded_by <> id AND supersedes <> id);
ALTER TABLE certificate ALTER CONSTRAINT certificate_superseded_by_fkey DEFERRABLE INITIALLY DEFERRED;

-- Frozen content now includes the signature's key, the link to the replaced certificate and the
-- reason of the re-issue; revocation and supersession stay one-way.
CREATE OR REPLACE FUNCTION certificate_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('beccaria.maintenance', true) = 'on' THEN
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
  END IF;
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'certificates are never deleted; revoke % instead', OLD.serial
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF (NEW.serial, NEW.kind, NEW.participant_id, NEW.programme_id, NEW.programme_version_id,
      NEW.module_number, NEW.course_id, NEW.completed_on, NEW.issued_at, NEW.run_id, NEW.pdf,
      NEW.pdf_sha256, NEW.snapshot, NEW.key_id, NEW.signature, NEW.supersedes, NEW.reissue_reason)
     IS DISTINCT FROM
     (OLD.serial, OLD.kind, OLD.participant_id, OLD.programme_id, OLD.programme_version_id,
      OLD.module_number, OLD.course_id, OLD.completed_on, OLD.issued_at, OLD.run_id, OLD.pdf,
      OLD.pdf_sha256, OLD.snapshot, OLD.key_id, OLD.signature, OLD.supersedes, OLD.reissue_reason) THEN
    RAISE EXCEPTION 'certificate % is frozen: its issued content cannot change', OLD.serial
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF OLD.status <> 'valid' AND (NEW.status, NEW.revoked_at, NEW.revocation_reason, NEW.superseded_by, NEW.superseded_at)
     IS DISTINCT FROM (OLD.status, OLD.revoked_at, OLD.revocation_reason, OLD.superseded_by, OLD.superseded_at) THEN
    RAISE EXCEPTION 'certificate % is already %', OLD.serial, OLD.status
      USING ERRCODE = 'check_violation', CONSTRAINT = 'certificate_status_forward';
  END IF;
  RETURN NEW;
END $$;

-- New certificates: the key must not be retired, and a replacement must be for the same
-- participant, programme, kind and module as the certificate it replaces.
CREATE FUNCTION certificate_check_new() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  replaced certificate%ROWTYPE;
BEGIN
  IF EXISTS (SELECT 1 FROM signing_key WHERE key_id = NEW.key_id AND retired_at IS NOT NULL) THEN
    RAISE EXCEPTION 'signing key % is retired and signs nothing new', NEW.key_id
      USING ERRCODE = 'check_violation', CONSTRAINT = 'certificate_key_not_retired';
  END IF;
  IF NEW.supersedes IS NOT NULL THEN
    SELECT * INTO replaced FROM certificate WHERE id = NEW.supersedes;
    IF (replaced.participant_id, replaced.programme_id, replaced.kind, coalesce(replaced.module_number, 0))
       IS DISTINCT FROM (NEW.participant_id, NEW.programme_id, NEW.kind, coalesce(NEW.module_number, 0)) THEN
      RAISE EXCEPTION 'certificate % cannot replace % (another holder, programme or kind)', NEW.serial, replaced.serial
        USING ERRCODE = 'check_violation', CONSTRAINT = 'certificate_replacement_matches';
    END IF;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER certificate_check_new BEFORE INSERT ON certificate
  FOR EACH ROW EXECUTE FUNCTION certificate_check_new();

-- At commit: a superseded certificate's successor points back to it, and a replacement's
-- predecessor is superseded by it.
CREATE FUNCTION certificate_check_links() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.status = 'superseded' AND NOT EXISTS (
       SELECT 1 FROM certificate WHERE id = NEW.superseded_by AND supersedes = NEW.id) THEN
    RAISE EXCEPTION 'certificate % is marked superseded, but its successor does not name it', NEW.serial
      USING ERRCODE = 'check_violation', CONSTRAINT = 'certificate_supersession_linked';
  END IF;
  IF NEW.supersedes IS NOT NULL AND NOT EXISTS (
       SELECT 1 FROM certificate WHERE id = NEW.supersedes AND superseded_by = NEW.id AND status = 'superseded') THEN
    RAISE EXCEPTION 'certificate % replaces another that is not marked superseded by it', NEW.serial
      USING ERRCODE = 'check_violation', CONSTRAINT = 'certificate_supersession_linked';
  END IF;
  RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER certificate_links_consistent AFTER INSERT OR UPDATE ON certificate
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
  WHEN (NEW.status = 'superseded' OR NEW.supersedes IS NOT NULL) EXECUTE FUNCTION certificate_check_links();
