"""What the functions share: settings, database, cache and HTTP helpers. Never imports a handler."""
