-- Forgotten passwords: one row per link mailed to an account's address, the token only as its
-- SHA-256, bound to the address it went to, single use and short-lived. Rows stay a day past
-- their expiry (a spent link then answers 410, not 400) and are purged a few at a time.
CREATE TABLE password_resets (
    token_hash  text PRIMARY KEY,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    email       citext NOT NULL CHECK (char_length(email) <= 254),
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz
);
CREATE INDEX password_resets_open_by_user ON password_resets (user_id) WHERE used_at IS NULL;
CREATE INDEX password_resets_expiry ON password_resets (expires_at);

-- Requests for a link per address (a digest of it, whether or not an account has it) in fixed
-- windows, as login_failures counts (0008): every process of every pod counts in one row under
-- its lock, with or without Redis.
CREATE TABLE password_reset_requests (
    key           text PRIMARY KEY CHECK (char_length(key) <= 200),
    requests      integer NOT NULL DEFAULT 0 CHECK (requests >= 0),
    window_start  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX password_reset_requests_window ON password_reset_requests (window_start);
