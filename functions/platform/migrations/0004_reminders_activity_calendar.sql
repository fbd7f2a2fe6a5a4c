-- Reminders, the transactional outbox of task events, calendar feeds, digests.

ALTER TABLE users
    ADD COLUMN webhook_secret text,
    ADD COLUMN digest_hour smallint NOT NULL DEFAULT 8 CHECK (digest_hour BETWEEN 0 AND 23),
    ADD COLUMN last_digest_on date;

CREATE TABLE reminders (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    task_id       uuid NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,  -- who is reminded
    at            timestamptz,                 -- absolute
    before_due    interval,                    -- or relative to the due date
    -- When the current occurrence's reminder is due, and the occurrence it belongs to
    -- (with the reminder id, the delivery's identity in the ledger).
    scheduled_at  timestamptz,
    occurrence    timestamptz,
    -- The next attempt: scheduled_at, or later after a failed delivery (backoff).
    fire_at       timestamptz,
    status        text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'missed', 'failed')),
    attempts      integer NOT NULL DEFAULT 0,
    last_error    text,
    sent_at       timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),
    CHECK ((at IS NULL) <> (before_due IS NULL))
);
CREATE INDEX reminders_due ON reminders (fire_at) WHERE status = 'pending' AND fire_at IS NOT NULL;
CREATE INDEX reminders_task ON reminders (task_id);

-- Written in the same transaction as the change it describes; a relay publishes it.
CREATE TABLE outbox (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id      uuid NOT NULL DEFAULT gen_random_uuid() UNIQUE,
    type          text NOT NULL,
    workspace_id  uuid NOT NULL,
    task_id       uuid,
    actor_id      uuid,
    data          jsonb NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
    published_at  timestamptz,
    attempts      integer NOT NULL DEFAULT 0
);
CREATE INDEX outbox_unpublished ON outbox (id) WHERE published_at IS NULL;

CREATE TABLE calendar_feeds (
    user_id     uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    token_hash  text NOT NULL UNIQUE,
    created_at  timestamptz NOT NULL DEFAULT now()
);
