"""What readiness means: the database answers. Redis is optional, so it only reports."""

from __future__ import annotations

import logging

from functions.platform.cache import Cache
from functions.platform.db import Database

logger = logging.getLogger(__name__)


def dependency_checks(database: Database, cache: Cache, timeout: float) -> dict[str, str]:
    checks = {"database": "ok", "redis": "disabled"}
    try:
        database.ping(timeout)
    except Exception as exc:  # unreachable, refused, misconfigured: all mean "not ready"
        logger.warning("database check failed: %s: %s", type(exc).__name__, exc)
        checks["database"] = "unreachable"
    if cache.configured:
        checks["redis"] = "ok" if cache.ping() else "unreachable"
    return checks


def is_ready(checks: dict[str, str]) -> bool:
    return checks["database"] == "ok"
