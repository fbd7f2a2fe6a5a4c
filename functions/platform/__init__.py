"""What every function stands on, knowing nothing of the product: settings, PostgreSQL and
Redis access, tokens, HTTP conventions, idempotency, and the transport of mail and webhooks."""
