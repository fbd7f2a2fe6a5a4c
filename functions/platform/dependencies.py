"""What an authenticated API function needs, built once from settings at start-up."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from aws_lambda_powertools.event_handler import ALBResolver
from pydantic import BaseModel

from functions.platform.cache import Cache
from functions.platform.db import Connection, Database
from functions.platform.errors import RateLimited
from functions.platform.http import list_etag, revalidate
from functions.platform.ratelimit import Counters, MemoryCounters
from functions.platform.settings import Settings
from functions.platform.tokens import Claims, TokenVerifier, access_claims, verifier_from

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Dependencies:
    settings: Settings
    database: Database
    cache: Cache
    verifier: TokenVerifier
    counters: Counters

    @classmethod
    def from_settings(cls, settings: Settings) -> Dependencies:
        cache = Cache(settings)
        # Without Redis the API limit counts in this process: weaker (each process counts
        # alone), never gone, and every such count emits a RateLimitFallback metric.
        return cls(
            settings,
            Database.for_settings(settings),
            cache,
            verifier_from(settings),
            Counters(cache, MemoryCounters(), operation="api-rate-limit"),
        )

    def caller(self, app: ALBResolver) -> Claims:
        """The verified access token of this request, within the caller's rate limit.

        The token's version is checked against the database inside the request's
        transaction (auth.ensure_current), so revocation takes effect at once.
        """
        claims = app.context.get("claims") or access_claims(
            self.verifier, app.current_event.headers.get("authorization")
        )
        counted = self.counters.add(f"api:{claims.user_id}", 60)
        if counted is not None and counted[0] > self.settings.api_rate_limit_per_minute:
            raise RateLimited("too many requests; slow down", retry_after_seconds=counted[1])
        return claims

    def generation(self, conn: Connection, scope: str) -> int | None:
        """The workspace's cache generation, which every transaction writing its tasks or tags
        bumps (migration 0005); None when there is no such workspace."""
        row = conn.execute("SELECT cache_generation FROM workspaces WHERE id = %s", (scope,)).fetchone()
        return int(row["cache_generation"]) if row else None

    def cached(
        self,
        conn: Connection,
        scope: str,
        kind: str,
        parameters: dict[str, Any],
        model: type[M],
        compute: Callable[[], M],
        ttl_seconds: int | None = None,
        generation: int | None = None,
    ) -> M:
        """compute(), or its answer cached under the scope's current generation (read here
        unless the caller has it).

        Call it after the caller's access to `scope` has been checked.
        """
        if generation is None:
            generation = self.generation(conn, scope)
        key = self.cache.key(scope, generation, kind, parameters) if generation is not None else None
        if key is not None:
            hit = self.cache.get_json(key)
            if hit is not None:
                return model.model_validate(hit)
        value = compute()
        if key is not None:
            self.cache.set_json(key, value.model_dump(mode="json"), ttl_seconds)
        return value

    def revalidated(
        self,
        conn: Connection,
        scope: str,
        kind: str,
        parameters: dict[str, Any],
        model: type[M],
        compute: Callable[[], M],
        if_none_match: str | None,
        cache: bool = True,
    ) -> tuple[M, str]:
        """A list of `scope` and its ETag, which the scope's generation, the kind and the
        parameters determine. When If-None-Match names it, NotModified (304) is raised before
        anything of the list is read; else the list comes from compute() (or the cache).

        Call it after the caller's access to `scope` has been checked: a 304 must be refused
        to whoever would be refused the list.
        """
        generation = self.generation(conn, scope)
        current = list_etag(kind, scope, generation, parameters)
        revalidate(if_none_match, current)
        if not cache:
            return compute(), current
        return self.cached(conn, scope, kind, parameters, model, compute, generation=generation), current
