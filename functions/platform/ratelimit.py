"""Rate limits: the general API limit (fixed windows in Redis) and failed-login counts
(fixed windows in PostgreSQL).

The API limit counts in Redis; when Redis is unset or failing it falls back to a
counter in this process (weaker: each process counts alone) and says so with a
`RateLimitFallback` metric each time, so an operator sees the limit has weakened.

Failed logins are a security limit and must be exact: every process of every pod
counts in one PostgreSQL row per bucket, under that row's lock, whatever Redis is
doing. A login attempt *reserves* its place in each bucket before its password is
checked, so two processes can never both see "9" and both let an eleventh guess in.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from aws_lambda_powertools.metrics import MetricUnit, single_metric

from functions.platform.cache import Cache
from functions.platform.db import Connection

if TYPE_CHECKING:
    import redis

METRICS_NAMESPACE = "TaskForge"
# Expired login windows deleted per reservation: bounded work, and the table stays small.
_PURGE_BATCH = 20


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

    def reset(self, key: str) -> None:
        with self._lock:
            self._counts.pop(key, None)


class Counters:
    """Redis first; the in-process fallback when Redis is unset or failing (if given)."""

    def __init__(self, cache: Cache, fallback: MemoryCounters | None, operation: str = "rate-limit") -> None:
        self._cache = cache
        self._fallback = fallback
        self._operation = operation
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
            with single_metric(
                name="RateLimitFallback",
                unit=MetricUnit.Count,
                value=1,
                namespace=METRICS_NAMESPACE,
                default_dimensions={"operation": self._operation},
            ):
                pass
            return self._fallback.add(key, window_seconds)
        return counted

    def reset(self, key: str) -> None:
        self._cache.call("rate-limit", lambda client: client.delete(self._prefix + key))
        if self._fallback is not None:
            self._fallback.reset(key)


@dataclass(frozen=True)
class Bucket:
    """One failed-login count: `key` names what is counted, `limit` how many failures it takes."""

    key: str
    limit: int


class LoginFailures:
    """Failed logins per bucket in fixed windows, in the login_failures table (migration 0008)."""

    def __init__(self, window_seconds: int) -> None:
        self._window = timedelta(seconds=window_seconds)

    def reserve(self, conn: Connection, buckets: Sequence[Bucket]) -> int | None:
        """Counts this attempt in every bucket, as a failure until `succeeded` says otherwise.

        Returns None when the attempt may go on, or the seconds until every full bucket's
        window has ended; a refused attempt counts nowhere. Each bucket's row stays locked
        until the caller's transaction ends: commit it before checking the password.
        """
        full: list[int] = []
        for bucket in sorted(buckets, key=lambda bucket: bucket.key):  # one lock order: no deadlocks
            row = conn.execute(
                "INSERT INTO login_failures AS f (key, failures, window_start) VALUES (%(key)s, 0, now())"
                " ON CONFLICT (key) DO UPDATE SET"
                "  failures = CASE WHEN f.window_start > now() - %(window)s THEN f.failures ELSE 0 END,"
                "  window_start = CASE WHEN f.window_start > now() - %(window)s THEN f.window_start ELSE now() END"
                " RETURNING failures,"
                "  ceil(extract(epoch FROM f.window_start + %(window)s - now()))::integer AS seconds_left",
                {"key": bucket.key, "window": self._window},
            ).fetchone()
            assert row is not None
            if row["failures"] >= bucket.limit:
                full.append(max(1, int(row["seconds_left"])))
        if not full:
            conn.execute(
                "UPDATE login_failures SET failures = failures + 1 WHERE key = ANY(%s)",
                ([bucket.key for bucket in buckets],),
            )
        self._purge(conn)  # last: it never waits (SKIP LOCKED), so it cannot close a cycle of locks
        return max(full) if full else None

    def succeeded(self, conn: Connection, cleared: Sequence[Bucket], released: Sequence[Bucket]) -> None:
        """The password was right: `cleared` buckets start again from zero, and the attempt
        no longer counts in the `released` ones."""
        if cleared:
            conn.execute("DELETE FROM login_failures WHERE key = ANY(%s)", ([bucket.key for bucket in cleared],))
        if released:
            conn.execute(
                "UPDATE login_failures SET failures = GREATEST(failures - 1, 0) WHERE key = ANY(%s)",
                ([bucket.key for bucket in released],),
            )

    def _purge(self, conn: Connection) -> None:
        conn.execute(
            "DELETE FROM login_failures WHERE key IN (SELECT key FROM login_failures"
            " WHERE window_start <= now() - %s ORDER BY window_start LIMIT %s FOR UPDATE SKIP LOCKED)",
            (self._window, _PURGE_BATCH),
        )
