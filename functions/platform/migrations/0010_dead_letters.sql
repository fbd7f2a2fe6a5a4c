-- Events the broker gave up on (every retry failed), kept for inspection and replay. The
-- event's id is unique: the dead-letter broker redelivers too, and a redelivery changes nothing.
-- No length limits: a dead letter the table refused would be lost for good.
CREATE TABLE dead_letters (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id     text NOT NULL UNIQUE CHECK (event_id <> ''),
    type         text NOT NULL,
    source       text NOT NULL,
    subject      text,
    time         timestamptz NOT NULL,
    data         jsonb NOT NULL,
    -- Every CloudEvent attribute, Knative's knativeerrordest and knativeerrorcode among them:
    -- which subscriber failed, and how.
    attributes   jsonb NOT NULL,
    received_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX dead_letters_received ON dead_letters (received_at);
