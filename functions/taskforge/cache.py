"""Redis, optional by design: every call has a short timeout and failure means "no cache"."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .settings import Settings

if TYPE_CHECKING:
    import redis


class Cache:
    def __init__(self, settings: Settings) -> None:
        self._client: redis.Redis | None = None
        if settings.redis_url:
            import redis  # only when configured: importing it costs ~45 ms of cold start

            self._client = redis.Redis.from_url(
                settings.redis_url,
                socket_timeout=settings.redis_timeout_seconds,
                socket_connect_timeout=settings.redis_timeout_seconds,
                health_check_interval=30,
            )

    @property
    def client(self) -> redis.Redis | None:
        return self._client

    @property
    def configured(self) -> bool:
        return self._client is not None

    def ping(self) -> bool:
        """True when Redis answers; False when it is unset or unreachable."""
        if self._client is None:
            return False
        import redis

        try:
            return bool(self._client.ping())
        except redis.RedisError:
            return False
