"""Fixed-window counters for rate limits: in Redis, or in this process when Redis is gone.

Login limits must never go unlimited, so when Redis fails they fall back to a
per-process counter (weaker across replicas, but never open). The general API
limit simply lets requests through when Redis is gone: availability first.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import redis

logger = logging.getLogger(__name__)


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

    def __init__(self, client: redis.Redis | None, fallback: MemoryCounters | None, prefix: str = "") -> None:
        self._client = client
        self._fallback = fallback
        self._prefix = prefix

    def add(self, key: str, window_seconds: int) -> tuple[int, int] | None:
        """The new count and seconds until the window resets; None when nothing counts."""
        key = self._prefix + key
        if self._client is not None:
            import redis

            try:
                pipe = self._client.pipeline(transaction=False)
                pipe.incr(key)
                pipe.expire(key, window_seconds, nx=True)
                pipe.ttl(key)
                count, _, ttl = pipe.execute()
                return int(count), max(1, int(ttl))
            except redis.RedisError as exc:
                logger.warning("rate limit counter unavailable in Redis: %s", exc)
        return self._fallback.add(key, window_seconds) if self._fallback else None

    def peek(self, key: str) -> tuple[int, int] | None:
        key = self._prefix + key
        if self._client is not None:
            import redis

            try:
                pipe = self._client.pipeline(transaction=False)
                pipe.get(key)
                pipe.ttl(key)
                raw, ttl = pipe.execute()
                return int(raw or 0), max(1, int(ttl))
            except redis.RedisError as exc:
                logger.warning("rate limit counter unavailable in Redis: %s", exc)
        return self._fallback.peek(key) if self._fallback else None

    def reset(self, key: str) -> None:
        key = self._prefix + key
        if self._client is not None:
            import redis

            try:
                self._client.delete(key)
            except redis.RedisError as exc:
                logger.warning("rate limit counter unavailable in Redis: %s", exc)
        if self._fallback:
            self._fallback.reset(key)
