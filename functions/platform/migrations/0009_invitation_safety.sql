-- Invitations that an owner can revoke and that die with their inviter's right to invite;
-- e-mail addresses proven by a link sent to them, which accepting an invitation requires.

ALTER TABLE invitations
    ADD COLUMN id uuid NOT NULL DEFAULT gen_random_uuid(),
    ADD COLUMN revoked_at timestamptz,
    -- 'withdrawn': an owner revoked it; 'inviter-not-owner': whoever sent it stopped being an owner.
    ADD COLUMN revoked_reason text CHECK (revoked_reason IN ('withdrawn', 'inviter-not-owner')),
    ADD CONSTRAINT invitations_revocation_has_a_reason CHECK ((revoked_at IS NULL) = (revoked_reason IS NULL));
CREATE UNIQUE INDEX invitations_id ON invitations (id);
CREATE INDEX invitations_open_by_inviter ON invitations (workspace_id, invited_by)
    WHERE accepted_at IS NULL AND revoked_at IS NULL;

-- Accounts registered before this were never asked to prove their address: they start unverified.
ALTER TABLE users ADD COLUMN email_verified_at timestamptz;

-- Another address is not the one that was proven.
CREATE FUNCTION unverify_changed_email() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.email IS DISTINCT FROM OLD.email THEN
        NEW.email_verified_at := NULL;
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER users_unverify_changed_email BEFORE UPDATE OF email ON users
    FOR EACH ROW EXECUTE FUNCTION unverify_changed_email();

-- One row per verification link sent: the token only as its SHA-256, bound to the address it
-- went to. The rows of the last hour are also the per-user limit on sending them.
CREATE TABLE email_verifications (
    token_hash  text PRIMARY KEY,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    email       citext NOT NULL CHECK (char_length(email) <= 254),
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz
);
CREATE INDEX email_verifications_user ON email_verifications (user_id, created_at);
