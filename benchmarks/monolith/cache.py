"""A Redis page cache keyed by the workspace's generation, as TaskForge keys its own.

The generation is the workspace row's cache_generation, which a trigger bumps in the
transaction of every write to the workspace's tasks and tags (migration 0005): a page
stored under an older generation is never read again and expires on its TTL. What is
stored is the response body as sent, so a hit costs one GET and no decoding. Redis is
optional: a failing call is a miss (or a page not stored), never an error.
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

import redis

logger = logging.getLogger(__name__)


class PageCache:
    def __init__(self, client: redis.Redis | None, prefix: str, ttl_seconds: int) -> None:
        self._client = client
        self._prefix = prefix
        self._ttl = ttl_seconds

    def key(self, workspace_id: str, generation: int, kind: str, parameters: dict[str, Any]) -> str:
        digest = hashlib.sha256(json.dumps(parameters, sort_keys=True, default=str).encode()).hexdigest()[:32]
        return f"{self._prefix}page:{workspace_id}:g{generation}:{kind}:{digest}"

    def get(self, key: str) -> bytes | None:
        if self._client is None:
            return None
        try:
            value = self._client.get(key)
        except redis.RedisError as exc:
            logger.warning("cache read failed, reading the database: %s", exc)
            return None
        return value if isinstance(value, bytes) else None

    def put(self, key: str, body: bytes) -> None:
        if self._client is None:
            return
        try:
            self._client.set(key, body, ex=self._ttl)
        except redis.RedisError as exc:
            logger.warning("cache write failed: %s", exc)
