-- Instants within 1970-01-01 .. 9000-12-31 UTC, as the API accepts them (task_models.Instant):
-- a due date of 0001-01-01 was stored, and every reader of its row failed (Python cannot load
-- a timestamp before year 1, which its reminder 30 days earlier was). And rows a scheduled
-- function cannot process are set aside (quarantined, with the reason) instead of stopping
-- the run for everyone: reminders, outbox events, users' digests.

CREATE FUNCTION instant_in_range(moment timestamptz) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT moment BETWEEN '1970-01-01 00:00:00+00' AND '9000-12-31 23:59:59.999999+00' $$;

CREATE FUNCTION clamp_instant(moment timestamptz) RETURNS timestamptz
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT LEAST(GREATEST(moment, '1970-01-01 00:00:00+00'), '9000-12-31 23:59:59.999999+00') $$;

-- Wall-clock times (a series' start and current occurrence) are those instants in some time
-- zone: up to 14 hours either side of the range.
CREATE FUNCTION clamp_wall_clock(moment timestamp) RETURNS timestamp
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT LEAST(GREATEST(moment, '1969-12-31 00:00:00'), '9001-01-01 23:59:59.999999') $$;

-- Repair. A due date out of range is clamped to the nearest edge rather than cleared: the task
-- stays dated (a recurring task needs its due date), sorts where it sorted (long overdue, or
-- far ahead) and its owner can still see and fix it. A changed row gets a new version, so an
-- ETag read before no longer matches.
UPDATE tasks SET due_date = clamp_instant(due_date), version = version + 1
WHERE NOT instant_in_range(due_date);
UPDATE tasks SET series_start = clamp_wall_clock(series_start), occurrence_local = clamp_wall_clock(occurrence_local)
WHERE series_start IS DISTINCT FROM clamp_wall_clock(series_start)
   OR occurrence_local IS DISTINCT FROM clamp_wall_clock(occurrence_local);
UPDATE task_occurrences SET due_date = clamp_instant(due_date) WHERE NOT instant_in_range(due_date);

-- Reminders: quarantine is a status of its own, with when and why.
ALTER TABLE reminders
    DROP CONSTRAINT reminders_status_check,
    ADD CONSTRAINT reminders_status_check
        CHECK (status IN ('pending', 'sent', 'missed', 'failed', 'quarantined')),
    ADD COLUMN quarantined_at timestamptz,
    ADD CONSTRAINT reminders_quarantine_has_a_time CHECK ((status = 'quarantined') = (quarantined_at IS NOT NULL));

-- A pending reminder whose time is out of range (or cannot be computed: a before_due the API
-- would refuse) is quarantined with the reason, not deleted and not sent: its time meant
-- nothing. Its columns are clamped so the checks below hold; the reason keeps the old values.
-- An operator releases it (docs/operations.md), and it is scheduled again from its task.
UPDATE reminders SET
    status = CASE WHEN status = 'pending' THEN 'quarantined' ELSE status END,
    quarantined_at = CASE WHEN status = 'pending' THEN now() END,
    last_error = CASE WHEN status = 'pending'
        THEN format('migration 0007: out of range (at %s, before_due %s, scheduled_at %s, fire_at %s)',
                    at, before_due, scheduled_at, fire_at)
        ELSE last_error END,
    at = clamp_instant(at),
    before_due = CASE WHEN before_due IS NOT NULL
        THEN LEAST(GREATEST(before_due, interval '1 minute'), interval '30 days') END,
    scheduled_at = clamp_instant(scheduled_at),
    occurrence = clamp_instant(occurrence),
    fire_at = NULL
WHERE NOT (COALESCE(instant_in_range(at), true) AND COALESCE(instant_in_range(scheduled_at), true)
           AND COALESCE(instant_in_range(occurrence), true) AND COALESCE(instant_in_range(fire_at), true)
           AND COALESCE(before_due > interval '0' AND before_due <= interval '30 days', true));

-- The database itself now refuses what the API refuses.
ALTER TABLE tasks
    ADD CONSTRAINT tasks_due_date_in_range CHECK (instant_in_range(due_date)),
    ADD CONSTRAINT tasks_series_in_range CHECK (series_start = clamp_wall_clock(series_start)
                                                AND occurrence_local = clamp_wall_clock(occurrence_local));
ALTER TABLE task_occurrences ADD CONSTRAINT task_occurrences_due_date_in_range CHECK (instant_in_range(due_date));
ALTER TABLE reminders
    ADD CONSTRAINT reminders_times_in_range CHECK (instant_in_range(at) AND instant_in_range(scheduled_at)
                                                   AND instant_in_range(occurrence) AND instant_in_range(fire_at)),
    -- reminders.MAX_BEFORE_DUE
    ADD CONSTRAINT reminders_before_due_in_range CHECK (before_due > interval '0' AND before_due <= interval '30 days');

-- Outbox events the broker will never take (it answers 4xx, or the event cannot be sent at
-- all) are set aside with the reason; the relay goes on with the next. Releasing one
-- publishes it with its original event id, so the feed still records it once.
ALTER TABLE outbox
    ADD COLUMN quarantined_at timestamptz,
    ADD COLUMN last_error text;
DROP INDEX outbox_unpublished;
CREATE INDEX outbox_unpublished ON outbox (id) WHERE published_at IS NULL AND quarantined_at IS NULL;

-- A user whose digest cannot be put together (an unknown time zone, a row that does not load)
-- is set aside with the reason, so the hourly run reaches everyone else.
ALTER TABLE users
    ADD COLUMN digest_quarantined_at timestamptz,
    ADD COLUMN digest_last_error text;
