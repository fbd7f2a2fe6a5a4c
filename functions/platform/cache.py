"""Redis, optional by design: every call has a short timeout and failure means "no cache".

Cached responses live under keys that carry their workspace's generation number, which
every write bumps in its own transaction (a trigger, migration 0005): older entries are
never read again and expire on their TTL. No KEYS, no SCAN, no wildcard delete, and no
Redis outage can make an old answer look current. An entry is a response body as it was sent,
so a hit is sent as it is, neither decoded nor validated again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from aws_lambda_powertools.metrics import MetricUnit, single_metric

from functions.platform.settings import Settings

if TYPE_CHECKING:
    import redis

logger = logging.getLogger(__name__)
T = TypeVar("T")
_BREAK_SECONDS = 2.0
# In every key: a change of what entries hold (their format) must change the keys, or a new
# release would send what an old one stored.
_FORMAT = "body1"


class Cache:
    def __init__(self, settings: Settings) -> None:
        self._client: redis.Redis | None = None
        self._prefix = settings.redis_key_prefix
        self._ttl = settings.cache_ttl_seconds
        self._skip_until = 0.0
        if settings.redis_url:
            import redis  # only when configured: importing it costs ~45 ms of cold start

            self._client = redis.Redis.from_url(
                settings.redis_url,
                socket_timeout=settings.redis_timeout_seconds,
                socket_connect_timeout=settings.redis_timeout_seconds,
                health_check_interval=30,
            )

    @property
    def prefix(self) -> str:
        return self._prefix

    @property
    def configured(self) -> bool:
        return self._client is not None

    def ping(self) -> bool:
        """True when Redis answers; False when it is unset or unreachable."""
        return self.call("ping", lambda client: bool(client.ping())) is True

    def key(self, scope: str, generation: int, kind: str, parameters: dict[str, Any]) -> str:
        digest = hashlib.sha256(json.dumps(parameters, sort_keys=True, default=str).encode()).hexdigest()[:32]
        return f"{self._prefix}c:{scope}:g{generation}:{kind}:{_FORMAT}:{digest}"

    def get_text(self, key: str) -> str | None:
        raw = self.call("get", lambda client: client.get(key))
        return raw.decode() if isinstance(raw, bytes) else None

    def set_text(self, key: str, value: str, ttl_seconds: int | None = None) -> None:
        ttl = min(ttl_seconds or self._ttl, self._ttl)
        self.call("set", lambda client: client.set(key, value.encode(), ex=ttl))

    def call(self, operation: str, work: Callable[[redis.Redis], T]) -> T | None:
        """work(client), or None when Redis is unset, failing, or failed in the last seconds.

        After a failure Redis is left alone for a few seconds (a circuit breaker), so an
        outage costs one timeout now and then instead of one on every call.
        """
        if self._client is None or time.monotonic() < self._skip_until:
            return None
        import redis

        try:
            return work(self._client)
        except redis.RedisError as exc:
            self._skip_until = time.monotonic() + _BREAK_SECONDS
            logger.warning("redis %s failed, carrying on without it: %s", operation, exc)
            with single_metric(
                name="CacheUnavailable",
                unit=MetricUnit.Count,
                value=1,
                namespace="TaskForge",
                default_dimensions={"operation": operation},
            ):
                pass
            return None
