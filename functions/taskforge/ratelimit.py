"""Fixed-window counters for rate limits: in Redis, or in this process when Redis is gone.

Login limits must never go unlimited, so when Redis fails they fall back to a
per-process counter (weaker across replicas, but never open). The general API
limit simply lets requests through when Redis is gone: availability first.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING

from .cache import Cache

if TYPE_CHECKING:
    import redis


class MemoryCounters:
    def __init__(self) -> None:
        self._counts: dict[str, tuple[int, float]] = {}
        self._lock = threading.Lock()

    def add(self, key: str, window_seconds: int) -> tuple[int, int]:
        now = time.monotonic()
        with self._lock:
            count, expires = self._counts.get(key, (0, now + window_seconds))
            if expires <= now:
                count, expires = 0, now + window_seconds
            self._counts[key] = (count + 1, expires)
            if len(self._counts) > 100_000:  # bounded: drop expired windows
                self._counts = {k: v for k, v in self._counts.items() if v[1] > now}
            return count + 1, max(1, int(expires - now))

    def peek(self, key: str) -> tuple[int, int]:
        now = time.monotonic()
        with self._lock:
            count, expires = self._counts.get(key, (0, now))
        return (count, max(1, int(expires - now))) if expires > now else (0, 0)

    def reset(self, key: str) -> None:
        with self._lock:
            self._counts.pop(key, None)


class Counters:
    """Redis first; the in-process fallback when Redis is unset or failing (if allowed)."""

    def __init__(self, cache: Cache, fallback: MemoryCounters | None) -> None:
        self._cache = cache
        self._fallback = fallback
        self._prefix = cache.prefix + "rl:"

    def add(self, key: str, window_seconds: int) -> tuple[int, int] | None:
        """The new count and seconds until the window resets; None when nothing counts."""
        full_key = self._prefix + key

        def increment(client: redis.Redis) -> tuple[int, int]:
            pipe = client.pipeline(transaction=False)
            pipe.incr(full_key)
            pipe.expire(full_key, window_seconds, nx=True)
            pipe.ttl(full_key)
            count, _, ttl = pipe.execute()
            return int(count), max(1, int(ttl))

        counted = self._cache.call("rate-limit", increment)
        if counted is None and self._fallback is not None:
            return self._fallback.add(key, window_seconds)
        return counted

    def peek(self, key: str) -> tuple[int, int] | None:
        full_key = self._prefix + key

        def read(client: redis.Redis) -> tuple[int, int]:
            pipe = client.pipeline(transaction=False)
            pipe.get(full_key)
            pipe.ttl(full_key)
            raw, ttl = pipe.execute()
            return int(raw or 0), max(1, int(ttl))

        seen = self._cache.call("rate-limit", read)
        if seen is None and self._fallback is not None:
            return self._fallback.peek(key)
        return seen

    def reset(self, key: str) -> None:
        self._cache.call("rate-limit", lambda client: client.delete(self._prefix + key))
        if self._fallback is not None:
            self._fallback.reset(key)
