"""The agenda area: the caller's tasks across every workspace they belong to, by day."""
