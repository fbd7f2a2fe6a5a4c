"""The limit on endpoints anyone may call without an account (an invitation's link).

Counted per client address (auth.client_address) per minute, with the machinery of the
API's per-user limit: Redis, or this process's own count while Redis is absent or
failing (weaker, and a `RateLimitFallback` metric says so). A request whose address
nobody can vouch for is not counted here, never in one bucket shared by everyone that
anyone could fill; the firewall's per-address limit in front of the API still applies.
"""

from __future__ import annotations

from functions.domain.auth.auth import client_address
from functions.platform.cache import Cache
from functions.platform.errors import RateLimited
from functions.platform.ratelimit import Counters, MemoryCounters
from functions.platform.settings import Settings

PER_MINUTE = 60


class ClientLimit:
    def __init__(self, settings: Settings, per_minute: int = PER_MINUTE) -> None:
        self._settings = settings
        self._per_minute = per_minute
        self._counters = Counters(Cache(settings), MemoryCounters(), operation="anonymous-rate-limit")

    def check(self, forwarded_for: str | None) -> None:
        """Counts the request; 429 with Retry-After past the limit."""
        client = client_address(forwarded_for, self._settings)
        if client is None:
            return
        counted = self._counters.add(f"anon:{client}", 60)
        if counted is not None and counted[0] > self._per_minute:
            raise RateLimited("too many requests from this address; slow down", retry_after_seconds=counted[1])
