-- Accounts, their refresh tokens, their tasks, and idempotency records.

CREATE TABLE users (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email          citext NOT NULL UNIQUE CHECK (char_length(email) <= 254),
    password_hash  text NOT NULL,
    display_name   text CHECK (char_length(display_name) <= 100),
    -- Bumped by logout and password change: every token carrying an older version is dead.
    token_version  integer NOT NULL DEFAULT 0,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);

-- One row per refresh token issued; a family is one login's chain of rotations.
CREATE TABLE refresh_tokens (
    id          uuid PRIMARY KEY,
    family_id   uuid NOT NULL,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    issued_at   timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz,
    revoked_at  timestamptz
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id) WHERE revoked_at IS NULL;

CREATE TABLE tasks (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    owner_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    title         text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
    description   text NOT NULL DEFAULT '' CHECK (char_length(description) <= 10000),
    completed     boolean NOT NULL DEFAULT false,
    priority      smallint NOT NULL DEFAULT 2 CHECK (priority BETWEEN 1 AND 3),
    due_date      timestamptz,
    created_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
    completed_at  timestamptz,
    -- Incremented by every write; the ETag is derived from it.
    version       integer NOT NULL DEFAULT 1,
    search        tsvector GENERATED ALWAYS AS (
                      to_tsvector('simple', title || ' ' || description)) STORED,
    CHECK ((completed AND completed_at IS NOT NULL) OR (NOT completed AND completed_at IS NULL))
);
-- Keyset pagination: one index per sort order, each ending in id for a total order.
CREATE INDEX tasks_owner_created ON tasks (owner_id, created_at, id);
-- Tasks without a due date sort after every dated one.
CREATE INDEX tasks_owner_due ON tasks (owner_id, (COALESCE(due_date, 'infinity'::timestamptz)), id);
CREATE INDEX tasks_owner_priority ON tasks (owner_id, priority, id);
CREATE INDEX tasks_search ON tasks USING gin (search);
CREATE INDEX tasks_title_trgm ON tasks USING gin (title gin_trgm_ops);

-- Powertools Idempotency records, kept where nothing evicts them.
CREATE TABLE idempotency_records (
    id                  text PRIMARY KEY,
    status              text NOT NULL,
    expiry              bigint NOT NULL,          -- epoch seconds
    in_progress_expiry  bigint,                   -- epoch milliseconds
    payload_hash        text,
    response_data       text
);
CREATE INDEX idempotency_records_expiry ON idempotency_records (expiry);
