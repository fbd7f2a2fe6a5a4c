-- Failed logins per bucket (an account, an address with no account, a client address, a
-- known device) in fixed windows. PostgreSQL is the record: every login function process,
-- in every pod, counts in the same row under its lock, with or without Redis.
CREATE TABLE login_failures (
    key           text PRIMARY KEY CHECK (char_length(key) <= 200),
    failures      integer NOT NULL DEFAULT 0 CHECK (failures >= 0),
    window_start  timestamptz NOT NULL DEFAULT now()
);
-- Expired windows are purged a few rows at a time, oldest first.
CREATE INDEX login_failures_window ON login_failures (window_start);
