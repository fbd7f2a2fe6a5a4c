-- Web Push: the browsers a user asked to be reminded on. The endpoint is the push service's
-- address for one browser, so it is unique: the same browser subscribing again (or after an
-- account switch on that browser) updates the row rather than adding a second.
CREATE TABLE push_subscriptions (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    endpoint    text NOT NULL UNIQUE CHECK (length(endpoint) <= 2048),
    p256dh      text NOT NULL,  -- base64url, the browser's P-256 public key (65 bytes)
    auth        text NOT NULL,  -- base64url, the 16-byte authentication secret
    user_agent  text CHECK (length(user_agent) <= 300),
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX push_subscriptions_user ON push_subscriptions (user_id, created_at);

-- How a reminder goes out: `account` is the account's channel (the webhook when one is set,
-- else e-mail); `push` is the user's subscribed browsers (e-mail or webhook when they have none).
ALTER TABLE reminders ADD COLUMN channel text NOT NULL DEFAULT 'account' CHECK (channel IN ('account', 'push'));

-- The colour scheme the SPA uses for this account: the system's, or always light or dark.
ALTER TABLE users ADD COLUMN theme text NOT NULL DEFAULT 'system' CHECK (theme IN ('system', 'light', 'dark'));
